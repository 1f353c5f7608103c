#!/bin/bash
# Runs once, on the first start of an empty ClickHouse volume (docker-entrypoint-initdb.d): the
# Costline database and a read-only user for Grafana. readonly = 1 keeps Grafana from writing;
# max_execution_time stays changeable because the plugin's client sets it on every query.
set -euo pipefail
clickhouse client --user "${CLICKHOUSE_USER}" --password "${CLICKHOUSE_PASSWORD}" --multiquery <<SQL
CREATE DATABASE IF NOT EXISTS ${CLICKHOUSE_DB};
CREATE USER IF NOT EXISTS ${GRAFANA_CLICKHOUSE_USER} IDENTIFIED WITH sha256_password BY '${GRAFANA_CLICKHOUSE_PASSWORD}' SETTINGS readonly = 1, max_execution_time = 60 CHANGEABLE_IN_READONLY;
GRANT SELECT ON ${CLICKHOUSE_DB}.* TO ${GRAFANA_CLICKHOUSE_USER};
SQL
