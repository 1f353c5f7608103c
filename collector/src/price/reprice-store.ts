/**
 * What both halves of re-pricing share: the call-time window in SQL, and inserts whose
 * deduplication token is unique to the run (see reprice.ts).
 *
 * @module
 */

import { createHash } from 'node:crypto';
import type { ClickHouseClient } from '@clickhouse/client';

/** `ts` within `{from:Int64}` (and `{to:Int64}`, exclusive, when `to` is given), epoch ms. */
export function windowSql(to: Date | undefined): string {
  return `ts >= fromUnixTimestamp64Milli({from:Int64})${to ? ' AND ts < fromUnixTimestamp64Milli({to:Int64})' : ''}`;
}

export /** `run` (the run's priced_at) makes the token unique to the run; a retry of the same insert dedupes. */
async function insert(client: ClickHouseClient, table: string, run: string, rows: object[]): Promise<void> {
  if (rows.length === 0) return;
  const token = createHash('sha256')
    .update(`${table}\n${run}\n`)
    .update(JSON.stringify(rows))
    .digest('hex')
    .slice(0, 32);
  await client.insert({
    table,
    values: rows,
    format: 'JSONEachRow',
    clickhouse_settings: { insert_deduplication_token: token },
  });
}
