/**
 * The models `costline report` lists as unpriced: calls whose latest price (the fact row, or a
 * later re-pricing delta) is `priced = false`, so a call priced by `costline reprice` after a
 * price-book change stops being listed.
 *
 * @module
 */

import type { QueryRunner } from './query-runner.ts';
import type { UnpricedModel } from './render.ts';

export async function unpricedModels(
  runner: QueryRunner,
  database: string,
  since: Date,
): Promise<UnpricedModel[]> {
  const rows = await runner.rows<{ provider: string; model: string; calls: string }>(
    `SELECT provider, model, sum(live) AS calls FROM (
       SELECT trace_id, span_id, anyIf(provider, sign = 1) AS provider,
              anyIf(if(response_model != '', response_model, request_model), sign = 1) AS model,
              argMax(priced, priced_at) AS latest_priced, sum(sign) AS live
       FROM ${database}.llm_calls
       WHERE NOT app_cache_hit AND ts >= fromUnixTimestamp64Milli(toInt64({since:Float64} * 1000))
       GROUP BY trace_id, span_id)
     WHERE live = 1 AND NOT latest_priced
     GROUP BY provider, model ORDER BY calls DESC, provider, model`,
    { since: since.getTime() / 1000 },
  );
  return rows.map((u) => ({ provider: u.provider, model: u.model, calls: Number(u.calls) }));
}
