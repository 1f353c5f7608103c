/**
 * The (trace_id, span_id) pairs the store already holds, for the collector's seen-set at start: a
 * span re-delivered after a restart (an exporter retrying what the previous process stored) is then
 * dropped like any other duplicate. Reads the newest `hours` of rows (by their own time, counted from
 * the newest row, so a clock or back-filled data does not empty the window), at most `limit` pairs.
 *
 * @module
 */

import type { ClickHouseClient } from '@clickhouse/client';

export async function loadStoredKeys(
  client: ClickHouseClient,
  database: string,
  hours: number,
  limit = 2_000_000,
): Promise<[string, string][]> {
  const keys: [string, string][] = [];
  for (const [table, id] of [
    ['llm_calls', 'span_id'],
    ['actions', 'span_id'],
  ] as const) {
    const rs = await client.query({
      query: `SELECT DISTINCT trace_id, ${id} AS id FROM ${database}.${table}
              WHERE sign = 1 AND ${id} != '' AND ts >= (SELECT max(ts) FROM ${database}.${table}) - toIntervalHour({hours:UInt32})
              LIMIT {limit:UInt32}`,
      format: 'JSONCompactEachRow',
      query_params: { hours, limit },
    });
    for (const [t, s] of await rs.json<[string, string]>()) keys.push([t, s]);
  }
  return keys;
}
