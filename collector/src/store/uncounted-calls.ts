/**
 * Calls the store holds that no stored action row counts: the writer inserts a flush's `llm_calls`
 * before its `actions`, so a process killed between the two leaves the calls without their action
 * rows (fact or delta). Their spans are still in the spool; on replay they are duplicates, but their
 * action still needs their totals. Read at start, with the totals as stored (re-pricing deltas
 * included), so the action counts exactly what its call rows say.
 *
 * A call is uncounted when its `action_id` has no action row at all; calls outside any action
 * (`action_id = ''`) need none. The window is stored-keys.ts's: the newest `hours` of calls; the
 * actions are looked for `hours` further back, since an action starts before its calls.
 *
 * @module
 */

import type { ClickHouseClient } from '@clickhouse/client';
import type { LlmCallRow } from './rows.ts';

/** The columns of a call its action's totals add up (see assemble/call-summary.ts). */
export type StoredCallTotals = Pick<
  LlmCallRow,
  'input_tokens' | 'output_tokens' | 'cache_read_tokens' | 'cost_usd' | 'avoided_cost_usd'
>;

export interface UncountedCall {
  traceId: string;
  spanId: string;
  totals: StoredCallTotals;
}

export async function loadUncountedCalls(
  client: ClickHouseClient,
  database: string,
  hours: number,
  limit = 100_000,
): Promise<UncountedCall[]> {
  const rs = await client.query({
    query: `WITH (SELECT max(ts) FROM ${database}.llm_calls) - toIntervalHour({hours:UInt32}) AS since
            SELECT trace_id, span_id, toString(sum(input_tokens)), toString(sum(output_tokens)),
                   toString(sum(cache_read_tokens)), toString(sum(cost_usd)), toString(sum(avoided_cost_usd))
            FROM ${database}.llm_calls
            WHERE ts >= since AND action_id != ''
              AND action_id NOT IN (
                SELECT action_id FROM ${database}.actions
                WHERE sign = 1 AND ts >= since - toIntervalHour({hours:UInt32}))
            GROUP BY trace_id, span_id
            HAVING sum(sign) > 0
            LIMIT {limit:UInt32}`,
    format: 'JSONCompactEachRow',
    query_params: { hours, limit },
  });
  const out: UncountedCall[] = [];
  for (const [traceId, spanId, input, output, cacheRead, cost, avoided] of await rs.json<string[]>()) {
    out.push({
      traceId: String(traceId),
      spanId: String(spanId),
      totals: {
        input_tokens: Number(input),
        output_tokens: Number(output),
        cache_read_tokens: Number(cacheRead),
        cost_usd: String(cost),
        avoided_cost_usd: String(avoided),
      },
    });
  }
  return out;
}
