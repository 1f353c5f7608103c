/**
 * Corrects stored rows when an action's outcome changes after they were written (a late action span
 * or a late outcome): each call row of the action still in force gets a cancel row and a new fact
 * row with the new `action_outcome`; when asked, the action row too (read back as the sum of its
 * fact and delta rows). Runs in the writer's order, after everything written before it is stored,
 * with deterministic insert tokens so a retry is stored once.
 *
 * @module
 */

import { createHash } from 'node:crypto';
import type { ClickHouseClient } from '@clickhouse/client';
import { cancelRow, factRow, liveRows } from './correction-rows.ts';
import { ACTION_ADDITIVE, CALL_ADDITIVE } from './rows.ts';
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

export function createOutcomeCorrector(options: OutcomeCorrectorOptions): OutcomeCorrector {
  const { client, database, writer } = options;
  const select = async (query: string, actionId: string): Promise<Row[]> =>
    (await client.query({ query, format: 'JSONEachRow', query_params: { id: actionId } })).json<Row>();
  const insert = async (table: string, rows: Row[], change: OutcomeChange): Promise<void> => {
    if (rows.length === 0) return;
    const token = createHash('sha256')
      .update(`${table}:${change.actionId}:${change.outcome}:${change.failureReason}:`)
      .update(JSON.stringify(rows))
      .digest('hex')
      .slice(0, 32);
    await client.insert({
      table: `${database}.${table}`,
      values: rows,
      format: 'JSONEachRow',
      clickhouse_settings: insertSettings(token, options.extraSettings),
    });
  };

  const run = async (change: OutcomeChange): Promise<CorrectionResult> => {
    const result: CorrectionResult = {
      actionId: change.actionId,
      callRows: 0,
      actionRows: 0,
      unmatched: false,
    };
    if (change.actions) {
      const current = await select(
        `SELECT ${ACTION_KEYS.join(', ')}, ${ACTION_ADDITIVE.map((c) => `sum(${c}) AS ${c}`).join(', ')}
         FROM ${database}.actions WHERE action_id = {id:String}
         GROUP BY ${ACTION_KEYS.join(', ')} HAVING sum(sign) > 0`,
        change.actionId,
      );
      const rows: Row[] = [];
      for (const row of current) {
        if (row['outcome'] === change.outcome && row['failure_reason'] === change.failureReason) continue;
        rows.push(
          cancelRow({ ...row, sign: 1 }, ACTION_ADDITIVE),
          factRow(row, { outcome: change.outcome, failure_reason: change.failureReason }),
        );
      }
      result.unmatched = current.length === 0;
      await insert('actions', rows, change);
      result.actionRows = rows.length;
    }
    if (change.adopt) {
      // The action was written from its calls alone before, then forgotten: cancel that row and
      // add its totals to the row just written (a delta), so the action counts once, with its cost.
      const earlier = await select(
        `SELECT ${ACTION_KEYS.join(', ')}, ${ACTION_ADDITIVE.map((c) => `sum(${c}) AS ${c}`).join(', ')}
         FROM ${database}.actions WHERE action_id = {id:String} AND span_id = ''
         GROUP BY ${ACTION_KEYS.join(', ')} HAVING sum(sign) > 0`,
        change.actionId,
      );
      const rows: Row[] = [];
      for (const row of earlier) {
        const delta: Row = { ...(change.adopt as unknown as Row), sign: 0 };
        for (const c of ACTION_ADDITIVE) delta[c] = c === 'duration_ms' ? 0 : row[c];
        rows.push(cancelRow({ ...row, sign: 1 }, ACTION_ADDITIVE), delta);
      }
      await insert('actions', rows, change);
      result.actionRows += rows.length;
    }
    const calls = liveRows(
      await select(`SELECT * FROM ${database}.llm_calls WHERE action_id = {id:String}`, change.actionId),
      CALL_ADDITIVE,
    );
    const rows: Row[] = [];
    for (const row of calls) {
      const surface = change.surface && row['surface'] === 'unattributed' ? change.surface : row['surface'];
      if (row['action_outcome'] === change.outcome && surface === row['surface']) continue;
      rows.push(cancelRow(row, CALL_ADDITIVE), factRow(row, { action_outcome: change.outcome, surface }));
    }
    await insert('llm_calls', rows, change);
    result.callRows = rows.length;
    result.unmatched = result.unmatched && calls.length === 0;
    options.onCorrected?.(result);
    return result;
  };

  return {
    apply(change) {
      let result: CorrectionResult | undefined;
      return writer
        .enqueue(async () => {
          result = await run(change);
        })
        .then(
          () => result as CorrectionResult,
          (e: unknown) => {
            const err = new Error(`correcting the outcome of action ${change.actionId} failed`, { cause: e });
            options.onError?.(err);
            throw err;
          },
        );
    },
  };
}
