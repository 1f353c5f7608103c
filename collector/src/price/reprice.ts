/**
 * Re-pricing: recomputes the cost of stored model calls in a window with a (new) price book, without
 * rewriting a row. For each call whose money changes it appends a delta row (`sign = 0`, token
 * columns 0, every money column = new − current, `correction = 'reprice'`), and for each action a
 * delta row on `cost_usd` equal to the sum of its calls' re-pricing deltas.
 *
 * Idempotent by construction: the "current" cost of a call is the sum of all its rows (fact and
 * every earlier correction), so a second run with the same book finds nothing to change. Action
 * deltas are computed from what is stored — Σ calls' reprice deltas − Σ the action's reprice deltas
 * — so a run cut off between the two inserts is completed by the next one. Each insert carries an
 * `insert_deduplication_token` derived from its rows, which include the run's `priced_at`: a retried
 * insert is stored once, while a later run that happens to produce the same delta is not dropped.
 *
 * @module
 */

import type { ClickHouseClient } from '@clickhouse/client';
import type { Pricer, Usage } from '@costline/pricing';
import { isBlockingFlag } from '@costline/pricing';
import { picoToUsd, usdToPico } from '../store/money.ts';
import { COST_COLUMNS, costColumns, nowText } from './call-row.ts';
import { repriceActions } from './reprice-actions.ts';
import { insert, windowSql } from './reprice-store.ts';
import type { CostColumns } from './call-row.ts';

export interface RepriceOptions {
  from: Date;
  /** Exclusive; open-ended when absent. */
  to?: Date | undefined;
  dryRun?: boolean | undefined;
  /** Calls read per page. @default 5000 */
  pageSize?: number | undefined;
  now?: () => Date;
}

export interface RepriceModelSummary {
  provider: string;
  model: string;
  calls: number;
  oldUsd: string;
  newUsd: string;
  deltaUsd: string;
}

export interface RepriceResult {
  dryRun: boolean;
  from: string;
  to: string | null;
  /** Calls in the window that were examined. */
  calls: number;
  /** Calls whose cost changed (a delta row each, unless dry run). */
  changed: number;
  /** Calls the new prices cannot price (unknown model, contradictory usage): left as they are. */
  unpriceable: number;
  oldUsd: string;
  newUsd: string;
  deltaUsd: string;
  /** Action delta rows appended (or, in a dry run, actions that would change). */
  actionsChanged: number;
  byModel: RepriceModelSummary[];
}

interface CallState extends Record<keyof CostColumns, string> {
  trace_id: string;
  span_id: string;
  ts: string;
  parent_span_id: string;
  action_id: string;
  service: string;
  surface: string;
  customer: string;
  provider: string;
  request_model: string;
  response_model: string;
  operation: string;
  prompt_name: string;
  prompt_version: string;
  streaming: boolean;
  service_tier: string;
  region: string;
  tool_calls: Record<string, string | number>;
  uncached_input_tokens: string;
  cache_read_tokens: string;
  cache_write_tokens: string;
  cache_write_1h_tokens: string;
  output_tokens: string;
  reasoning_tokens: string;
  input_audio_tokens: string;
  output_audio_tokens: string;
  usage_missing: boolean;
  price_flags: string[];
  action_outcome: string;
  dialect: string;
  status: string;
}

const n = (v: string | number): number => Number(v);

function usageOf(c: CallState): Usage {
  const writes = n(c.cache_write_tokens);
  const oneHour = n(c.cache_write_1h_tokens);
  return {
    inputTokens: n(c.uncached_input_tokens),
    cacheReadTokens: n(c.cache_read_tokens),
    cacheWrite5mTokens: writes - oneHour,
    cacheWrite1hTokens: oneHour,
    // output_tokens is the total, audio included; the text bucket is the rest.
    outputTokens: n(c.output_tokens) - n(c.output_audio_tokens),
    reasoningTokens: n(c.reasoning_tokens),
    inputAudioTokens: n(c.input_audio_tokens),
    outputAudioTokens: n(c.output_audio_tokens),
  };
}

const FACT_COLUMNS = [
  'ts',
  'parent_span_id',
  'action_id',
  'service',
  'surface',
  'customer',
  'provider',
  'request_model',
  'response_model',
  'operation',
  'prompt_name',
  'prompt_version',
  'streaming',
  'service_tier',
  'region',
  'tool_calls',
  'uncached_input_tokens',
  'cache_read_tokens',
  'cache_write_tokens',
  'cache_write_1h_tokens',
  'output_tokens',
  'reasoning_tokens',
  'input_audio_tokens',
  'output_audio_tokens',
  'usage_missing',
  'price_flags',
  'dialect',
  'status',
];

/**
 * One page of calls in the window with their current (fact + corrections) money, keyed after
 * `after`. Aliases are prefixed (`f_ts`) so they never shadow the columns the WHERE reads.
 */
function pageQuery(db: string, to: Date | undefined): string {
  return `SELECT trace_id, span_id,
    ${FACT_COLUMNS.map((c) => `anyIf(${c}, sign = 1) AS f_${c}`).join(',\n    ')},
    argMax(action_outcome, priced_at) AS f_action_outcome,
    ${COST_COLUMNS.map((c) => `toString(sum(${c})) AS f_${c}`).join(',\n    ')}
  FROM ${db}.llm_calls
  WHERE ${windowSql(to)} AND NOT app_cache_hit
  GROUP BY trace_id, span_id
  HAVING sum(sign) = 1 AND countIf(sign = 1) >= 1 AND (trace_id, span_id) > ({after_trace:String}, {after_span:String})
  ORDER BY trace_id, span_id
  LIMIT {limit:UInt32}`;
}

const SLICE_MS = 86_400_000;

/** Epoch ms of the last stored call at or after `from` (or `from` when there is none). */
async function lastCallMs(client: ClickHouseClient, database: string, from: Date): Promise<number> {
  const rs = await client.query({
    query: `SELECT toString(toUnixTimestamp64Milli(max(ts))) AS last, count() AS rows FROM ${database}.llm_calls
            WHERE ts >= fromUnixTimestamp64Milli({from:Int64})`,
    format: 'JSONEachRow',
    query_params: { from: from.getTime() },
  });
  const [row] = await rs.json<{ last: string; rows: string | number }>();
  return row && Number(row.rows) > 0 ? Number(row.last) : from.getTime();
}

/** UTC day starts (epoch ms) holding calls in [from, to). */
async function callDays(
  client: ClickHouseClient,
  database: string,
  from: number,
  to: number,
): Promise<number[]> {
  const rs = await client.query({
    query: `SELECT DISTINCT toString(toUnixTimestamp(toStartOfDay(ts, 'UTC')) * 1000) AS day FROM ${database}.llm_calls
            WHERE ts >= fromUnixTimestamp64Milli({from:Int64}) AND ts < fromUnixTimestamp64Milli({to:Int64})
            ORDER BY day`,
    format: 'JSONEachRow',
    query_params: { from, to },
  });
  return (await rs.json<{ day: string }>()).map((r) => Number(r.day)).sort((a, b) => a - b);
}

export async function reprice(
  client: ClickHouseClient,
  database: string,
  pricer: Pricer,
  options: RepriceOptions,
): Promise<RepriceResult> {
  const dryRun = options.dryRun ?? false;
  const limit = options.pageSize ?? 5000;
  const pricedAt = nowText((options.now ?? (() => new Date()))().getTime());
  const end = options.to?.getTime() ?? (await lastCallMs(client, database, options.from)) + 1;
  const byModel = new Map<
    string,
    { provider: string; model: string; calls: number; old: bigint; new: bigint }
  >();
  const pendingActions = new Map<string, bigint>();
  let calls = 0;
  let changed = 0;
  let unpriceable = 0;
  let oldTotal = 0n;
  let newTotal = 0n;
  // A day of calls at a time (each grouped once), paged by key inside the day — only the days that
  // hold calls, so a wide window over sparse data costs one query per day of data, not per day.
  for (const day of await callDays(client, database, options.from.getTime(), end)) {
    const params = { from: Math.max(day, options.from.getTime()), to: Math.min(day + SLICE_MS, end) };
    let after = { trace: '', span: '' };
    for (;;) {
      const rs = await client.query({
        query: pageQuery(database, new Date(params.to)),
        format: 'JSONEachRow',
        query_params: { ...params, after_trace: after.trace, after_span: after.span, limit },
      });
      const page = (await rs.json<Record<string, unknown>>()).map(
        (r) =>
          Object.fromEntries(
            Object.entries(r).map(([k, v]) => [k.replace(/^f_/, ''), v]),
          ) as unknown as CallState,
      );
      if (page.length === 0) break;
      const last = page[page.length - 1];
      if (last) after = { trace: last.trace_id, span: last.span_id };
      const deltas: object[] = [];
      for (const c of page) {
        calls++;
        const blocked = c.usage_missing || c.price_flags.some(isBlockingFlag);
        const model = c.response_model || c.request_model;
        const toolCalls = Object.fromEntries(Object.entries(c.tool_calls).map(([k, v]) => [k, n(v)]));
        const breakdown = blocked
          ? undefined
          : pricer.price({
              provider: c.provider,
              model,
              fallbackModel: c.request_model !== model ? c.request_model : undefined,
              region: c.region || undefined,
              time: new Date(`${c.ts.replace(' ', 'T')}Z`),
              usage: usageOf(c),
              serviceTier: c.service_tier || undefined,
              toolCalls,
            });
        if (!breakdown?.priced) {
          // A call with tokens the new prices cannot price keeps its cost; one with none costs nothing either way.
          if (!blocked && breakdown && !Object.values(usageOf(c)).every((v) => v === 0)) unpriceable++;
          continue;
        }
        const next = costColumns(breakdown);
        const diff = Object.fromEntries(
          COST_COLUMNS.map((k) => [k, usdToPico(next[k]) - usdToPico(c[k])]),
        ) as Record<keyof CostColumns, bigint>;
        const key = `${c.provider}\n${model}`;
        const m = byModel.get(key) ?? { provider: c.provider, model, calls: 0, old: 0n, new: 0n };
        m.calls++;
        m.old += usdToPico(c.cost_usd);
        m.new += usdToPico(next.cost_usd);
        byModel.set(key, m);
        oldTotal += usdToPico(c.cost_usd);
        newTotal += usdToPico(next.cost_usd);
        if (COST_COLUMNS.every((k) => diff[k] === 0n)) continue;
        changed++;
        if (c.action_id) {
          const ak = `${c.trace_id}\n${c.action_id}`;
          pendingActions.set(ak, (pendingActions.get(ak) ?? 0n) + diff.cost_usd);
        }
        deltas.push({
          ...Object.fromEntries(
            FACT_COLUMNS.filter((k) => !k.endsWith('_tokens')).map((k) => [k, c[k as keyof CallState]]),
          ),
          trace_id: c.trace_id,
          span_id: c.span_id,
          action_outcome: c.action_outcome,
          tool_calls: {},
          ...Object.fromEntries(COST_COLUMNS.map((k) => [k, picoToUsd(diff[k])])),
          priced: true,
          price_source: breakdown.source,
          price_version: breakdown.sourceVersion,
          pricing_tier: breakdown.tier,
          price_flags: breakdown.flags,
          price_estimated: breakdown.estimated,
          usage_missing: false,
          duration_ms: 0,
          ttft_ms: null,
          app_cache_hit: false,
          sign: 0,
          correction: 'reprice',
          priced_at: pricedAt,
        });
      }
      if (!dryRun) await insert(client, `${database}.llm_calls`, pricedAt, deltas);
      if (page.length < limit) break;
    }
  }

  const actionsChanged = dryRun
    ? [...pendingActions.values()].filter((d) => d !== 0n).length
    : await repriceActions(client, database, options, pricedAt);

  return {
    dryRun,
    from: options.from.toISOString(),
    to: options.to?.toISOString() ?? null,
    calls,
    changed,
    unpriceable,
    oldUsd: picoToUsd(oldTotal),
    newUsd: picoToUsd(newTotal),
    deltaUsd: picoToUsd(newTotal - oldTotal),
    actionsChanged,
    byModel: [...byModel.values()]
      .filter((m) => m.old !== m.new)
      .sort((a, b) => (b.new - b.old > a.new - a.old ? 1 : -1))
      .map((m) => ({
        provider: m.provider,
        model: m.model,
        calls: m.calls,
        oldUsd: picoToUsd(m.old),
        newUsd: picoToUsd(m.new),
        deltaUsd: picoToUsd(m.new - m.old),
      })),
  };
}
