/**
 * Corrects stored rows when an action's outcome changes after they were written (a late action span
 * or a late outcome): each call row of the action still in force gets a cancel row and a new fact
 * row with the new `action_outcome`; when asked, the action row too (read back as the sum of its
 * fact and delta rows). Runs in the writer's order, after everything written before it is stored,
 * with deterministic insert tokens so a retry is stored once.
 *
 * Corrections are done in batches: all those asked for before one flush of the writer are read
 * with one query per table (`action_id IN (…)`) and written with one insert per table. One by one,
 * each read scanned `llm_calls` (`action_id` is not in its sort key) and each forced a flush of the
 * writer: at a few hundred late outcomes a second they fell behind without bound, and a shutdown
 * waited minutes for the backlog. An action asked for twice in a batch is corrected in a second
 * round, which reads what the first one wrote. A round takes at most `MAX_ROUND_ACTIONS` actions.
 *
 * @module
 */

import { createHash } from 'node:crypto';
import type { ClickHouseClient } from '@clickhouse/client';
import { cancelRow, factRow, liveRows } from './correction-rows.ts';
import { ACTION_ADDITIVE, CALL_ADDITIVE } from './rows.ts';
import type { CallSummary } from '../assemble/call-summary.ts';
import { picoToUsd } from './money.ts';
import type { ActionRow } from './rows.ts';
import type { Writer } from './writer.ts';
import { insertSettings } from './writer.ts';

/** An action's outcome changed after rows were written (late action span or late outcome). */
export interface OutcomeChange {
  actionId: string;
  outcome: string;
  failureReason: string;
  /** Also correct the `actions` row from the store (the assembler does not hold it). */
  actions: boolean;
  /**
   * This action row was just written, but the action had been written before from its calls alone
   * (outcome `unknown`) and forgotten since: move those stored totals into it.
   */
  adopt?: ActionRow | undefined;
  /** The action's surface became known: calls stored as `unattributed` take it. */
  surface?: string | undefined;
}

export interface OutcomeCorrectorOptions {
  client: ClickHouseClient;
  database: string;
  writer: Writer;
  /** Called with what was corrected: rows appended per table, or `unmatched` when nothing was stored. */
  onCorrected?: (result: CorrectionResult) => void;
  onError?: (err: Error) => void;
  extraSettings?: Record<string, string | number>;
}

export interface CorrectionResult {
  actionId: string;
  callRows: number;
  actionRows: number;
  unmatched: boolean;
}

export interface OutcomeCorrector {
  apply(change: OutcomeChange): Promise<CorrectionResult>;
  /** Adds a late call's totals to the stored action row (a delta row) and gives it its outcome. */
  addDelta(actionId: string, delta: CallSummary): Promise<CorrectionResult>;
}

type Row = Record<string, unknown>;

const ACTION_KEYS = [
  'ts',
  'end_ts',
  'trace_id',
  'span_id',
  'action_id',
  'service',
  'surface',
  'customer',
  'outcome',
  'failure_reason',
  'app_cache_hit',
  'early_exit_rule',
];

/** Actions one round reads and corrects at most (the size of its `IN` list). */
export const MAX_ROUND_ACTIONS = 2000;
/** Attempts per correction insert (same token each time: a retry of a stored insert is dropped). */
const INSERT_ATTEMPTS = 4;

/** One asked-for correction, settled when its round is stored. */
interface Item {
  actionId: string;
  what: string;
  /** Appends this correction's rows, given its action's rows as the round read them. */
  plan(read: ActionRead, out: Planned): CorrectionResult;
  resolve(r: CorrectionResult): void;
  reject(e: Error): void;
}

/** One action's rows as a round read them. */
interface ActionRead {
  /** Its `actions` rows in force (fact + deltas, per distinct key columns). */
  actions: Row[];
  /** Its `llm_calls` rows in force. */
  calls: Row[];
}

interface Planned {
  actions: Row[];
  calls: Row[];
}

export function createOutcomeCorrector(options: OutcomeCorrectorOptions): OutcomeCorrector {
  const { client, database, writer } = options;
  const select = async (query: string, actionIds: string[]): Promise<Row[]> =>
    (await client.query({ query, format: 'JSONEachRow', query_params: { ids: actionIds } })).json<Row>();

  const insert = async (table: string, rows: Row[], round: string): Promise<void> => {
    if (rows.length === 0) return;
    const token = createHash('sha256')
      .update(`${table}:${round}:`)
      .update(JSON.stringify(rows))
      .digest('hex')
      .slice(0, 32);
    for (let attempt = 1; ; attempt++) {
      try {
        await client.insert({
          table: `${database}.${table}`,
          values: rows,
          format: 'JSONEachRow',
          clickhouse_settings: insertSettings(token, options.extraSettings),
        });
        return;
      } catch (e) {
        if (attempt >= INSERT_ATTEMPTS) throw e;
        await new Promise((r) => setTimeout(r, 200 * 2 ** attempt));
      }
    }
  };

  /** The rows in force of each action, read with one query per table. */
  const read = async (actionIds: string[]): Promise<Map<string, ActionRead>> => {
    const out = new Map<string, ActionRead>(actionIds.map((id) => [id, { actions: [], calls: [] }]));
    const actions = await select(
      `SELECT ${ACTION_KEYS.join(', ')}, ${ACTION_ADDITIVE.map((c) => `sum(${c}) AS ${c}`).join(', ')}
       FROM ${database}.actions WHERE action_id IN {ids:Array(String)}
       GROUP BY ${ACTION_KEYS.join(', ')} HAVING sum(sign) > 0`,
      actionIds,
    );
    for (const row of actions) out.get(String(row['action_id']))?.actions.push(row);
    const calls = await select(
      `SELECT * FROM ${database}.llm_calls WHERE action_id IN {ids:Array(String)}`,
      actionIds,
    );
    const byAction = new Map<string, Row[]>();
    for (const row of calls) {
      const id = String(row['action_id']);
      const list = byAction.get(id);
      if (list) list.push(row);
      else byAction.set(id, [row]);
    }
    for (const [id, rows] of byAction) {
      const entry = out.get(id);
      if (entry) entry.calls = liveRows(rows, CALL_ADDITIVE, ['trace_id', 'span_id']);
    }
    return out;
  };

  /** The call rows that take the action's (new) outcome and surface. */
  const planCalls = (change: OutcomeChange, live: Row[], out: Planned): { rows: number; live: number } => {
    let rows = 0;
    for (const row of live) {
      const surface = change.surface && row['surface'] === 'unattributed' ? change.surface : row['surface'];
      if (row['action_outcome'] === change.outcome && surface === row['surface']) continue;
      out.calls.push(
        cancelRow(row, CALL_ADDITIVE),
        factRow(row, { action_outcome: change.outcome, surface }),
      );
      rows += 2;
    }
    return { rows, live: live.length };
  };

  const planChange = (change: OutcomeChange, r: ActionRead, out: Planned): CorrectionResult => {
    const result: CorrectionResult = {
      actionId: change.actionId,
      callRows: 0,
      actionRows: 0,
      unmatched: false,
    };
    // What the action rows are after this step: a corrected row is in force with its new outcome.
    let actions = r.actions;
    if (change.actions) {
      const next: Row[] = [];
      for (const row of actions) {
        if (row['outcome'] === change.outcome && row['failure_reason'] === change.failureReason) {
          next.push(row);
          continue;
        }
        const fact = factRow(row, { outcome: change.outcome, failure_reason: change.failureReason });
        out.actions.push(cancelRow({ ...row, sign: 1 }, ACTION_ADDITIVE), fact);
        result.actionRows += 2;
        next.push(fact);
      }
      result.unmatched = actions.length === 0;
      actions = next;
    }
    if (change.adopt) {
      // The action was written from its calls alone before, then forgotten: cancel that row and
      // add its totals to the row just written (a delta), so the action counts once, with its cost.
      for (const row of actions) {
        if (row['span_id'] !== '') continue;
        const delta: Row = { ...(change.adopt as unknown as Row), sign: 0 };
        for (const c of ACTION_ADDITIVE) delta[c] = c === 'duration_ms' ? 0 : row[c];
        out.actions.push(cancelRow({ ...row, sign: 1 }, ACTION_ADDITIVE), delta);
        result.actionRows += 2;
      }
    }
    const calls = planCalls(change, r.calls, out);
    result.callRows = calls.rows;
    result.unmatched = result.unmatched && calls.live === 0;
    return result;
  };

  const planDelta = (actionId: string, delta: CallSummary, r: ActionRead, out: Planned): CorrectionResult => {
    const [action] = r.actions;
    const result: CorrectionResult = { actionId, callRows: 0, actionRows: 0, unmatched: !action };
    if (action) {
      out.actions.push({
        ...action,
        sign: 0,
        duration_ms: 0,
        llm_calls: delta.llmCalls,
        failed_calls: delta.failedCalls,
        retries: delta.retries,
        input_tokens: delta.inputTokens,
        output_tokens: delta.outputTokens,
        cache_read_tokens: delta.cacheReadTokens,
        cost_usd: picoToUsd(delta.costPico),
        avoided_cost_usd: picoToUsd(delta.avoidedPico),
      });
      result.actionRows = 1;
      const change = {
        actionId,
        outcome: String(action['outcome']),
        failureReason: String(action['failure_reason']),
        actions: false,
      };
      result.callRows = planCalls(change, r.calls, out).rows;
    }
    return result;
  };

  /** Corrects `items` in rounds; settles each item; never throws. */
  const drain = async (items: Item[]): Promise<void> => {
    let rest = items;
    for (let n = 0; rest.length > 0; n++) {
      // A round: the first correction asked for each action (up to the round's size), in order.
      const round: Item[] = [];
      const later: Item[] = [];
      const taken = new Set<string>();
      for (const item of rest) {
        if (taken.has(item.actionId) || taken.size >= MAX_ROUND_ACTIONS) later.push(item);
        else {
          taken.add(item.actionId);
          round.push(item);
        }
      }
      rest = later;
      try {
        const state = await read([...taken]);
        const out: Planned = { actions: [], calls: [] };
        const results = round.map((item) => item.plan(state.get(item.actionId) as ActionRead, out));
        // The round's name for its tokens: what it corrects, so a retry of it is recognised.
        const name = round.map((i) => i.what).join('\n');
        await insert('actions', out.actions, name);
        await insert('llm_calls', out.calls, name);
        round.forEach((item, i) => {
          const result = results[i] as CorrectionResult;
          options.onCorrected?.(result);
          item.resolve(result);
        });
      } catch (e) {
        for (const item of round) {
          const err = new Error(`correcting ${item.what} failed`, { cause: e });
          options.onError?.(err);
          item.reject(err);
        }
      }
    }
  };

  /** The batch still open (its writer flush has not started), and the corrections in it. */
  let open: { batch: number; items: Item[] } | undefined;
  const queue = (
    actionId: string,
    what: string,
    plan: (read: ActionRead, out: Planned) => CorrectionResult,
  ): Promise<CorrectionResult> =>
    new Promise<CorrectionResult>((resolve, reject) => {
      const batch = writer.batch();
      if (open?.batch !== batch) {
        const group = { batch, items: [] as Item[] };
        open = group;
        void writer.enqueue(() => drain(group.items));
      }
      open.items.push({ actionId, what, plan, resolve, reject });
    });

  return {
    apply: (change) =>
      queue(
        change.actionId,
        `the outcome of action ${change.actionId} (${change.outcome}${change.failureReason ? `: ${change.failureReason}` : ''})`,
        (r, out) => planChange(change, r, out),
      ),
    addDelta: (actionId, delta) =>
      queue(actionId, `the totals of action ${actionId}`, (r, out) => planDelta(actionId, delta, r, out)),
  };
}
