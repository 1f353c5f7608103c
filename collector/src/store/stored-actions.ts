/**
 * The actions the store already holds, for the assembler at start: a span of one of them that
 * comes again after a restart — a late call, or the action span of an action stored from its calls
 * alone, replayed from the spool or sent by the application — adds to the stored rows (a delta, or
 * a correction) instead of writing the action a second time. Same window as stored-keys.ts (the
 * newest `hours` of actions), at most the `limit` newest ids — returned oldest first, so a bounded
 * memory filled in this order drops the oldest first.
 *
 * `callsOnly`: the row in force was written from the action's calls alone (`span_id = ''`, outcome
 * `unknown` unless a late outcome corrected it), so the action span may still come and correct it.
 *
 * @module
 */

import type { ClickHouseClient } from '@clickhouse/client';

export interface StoredAction {
  actionId: string;
  callsOnly: boolean;
}

export async function loadStoredActions(
  client: ClickHouseClient,
  database: string,
  hours: number,
  limit = 200_000,
): Promise<StoredAction[]> {
  const rs = await client.query({
    query: `SELECT action_id, min(span_id = '') AS calls_only
            FROM (
              SELECT action_id, span_id, max(ts) AS last FROM ${database}.actions
              WHERE ts >= (SELECT max(ts) FROM ${database}.actions) - toIntervalHour({hours:UInt32})
              GROUP BY action_id, span_id
              HAVING sum(sign) > 0)
            GROUP BY action_id
            ORDER BY max(last) DESC
            LIMIT {limit:UInt32}`,
    format: 'JSONCompactEachRow',
    query_params: { hours, limit },
  });
  return (await rs.json<[string, number | boolean]>())
    .map(([actionId, callsOnly]) => ({ actionId, callsOnly: Boolean(Number(callsOnly)) }))
    .reverse();
}
