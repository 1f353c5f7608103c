/**
 * The query model of the `grafana-clickhouse-datasource` plugin (`CHSqlQuery` in its
 * `src/types/sql.ts`) as a foundation-SDK dataquery. The SDK ships no ClickHouse builder, and
 * `withTarget` only takes a `cog.Dataquery`, so this is the SDK's documented custom-query route.
 *
 * @module
 */

import type * as cog from '@grafana/grafana-foundation-sdk/cog';
import type { DataSourceRef } from '@grafana/grafana-foundation-sdk/common';

export const CLICKHOUSE_PLUGIN_ID = 'grafana-clickhouse-datasource';

/** Panels reach the data source through the `$datasource` variable, as the plugin's own boards do. */
export const DATASOURCE_REF: DataSourceRef = { type: CLICKHOUSE_PLUGIN_ID, uid: '${datasource}' };

/** sqlds `FormatQueryOption`: 0 time series, 1 table. */
export const QUERY_FORMAT = { timeSeries: 0, table: 1 } as const;
export type QueryFormat = (typeof QUERY_FORMAT)[keyof typeof QUERY_FORMAT];

export interface ClickHouseQuery extends cog.Dataquery {
  refId: string;
  datasource: DataSourceRef;
  editorType: 'sql';
  rawSql: string;
  format: QueryFormat;
}

export function clickHouseQuery(
  rawSql: string,
  format: QueryFormat,
  refId = 'A',
): cog.Builder<cog.Dataquery> {
  const query: ClickHouseQuery = {
    refId,
    datasource: DATASOURCE_REF,
    editorType: 'sql',
    rawSql,
    format,
    _implementsDataqueryVariant() {},
  };
  return { build: () => query };
}
