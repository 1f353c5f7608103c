/**
 * Groups model calls under their action across OTLP requests, like the OTel tail-sampling
 * processor: calls wait until their action span arrives, then the calls and the action are written
 * together with the action's outcome. Memory is bounded: past `maxOpenActions`, or after `maxWaitMs`,
 * waiting calls are written with outcome `unknown` and counted. Outcomes of recently closed actions
 * are remembered, so late calls still get theirs.
 *
 * @module
 */

import type { DecodedSpan } from '../otlp/span.ts';
import type { ActionRow, LlmCallRow } from '../store/rows.ts';
import { buildActionRow, readActionSpan } from './action-row.ts';
import { addToSummary, emptySummary } from './call-summary.ts';
import type { CallSummary } from './call-summary.ts';

export interface AssemblerOptions {
  /** Most actions whose calls may wait for their action span at once. @default 10000 */
  maxOpenActions?: number;
  /** How long calls wait for their action span. @default 60000 */
  maxWaitMs?: number;
  /** How many closed actions' outcomes are remembered for late calls. @default 50000 */
  recentClosed?: number;
  emit: (calls: LlmCallRow[], actions: ActionRow[]) => void;
  now?: () => number;
}

export interface AssemblerStats {
  openActions: number;
  waitingCalls: number;
  expiredActions: number;
  evictedActions: number;
  lateCalls: number;
}

export interface Assembler {
  addCall(row: LlmCallRow): void;
  addAction(span: DecodedSpan): void;
  /** Writes out what waited longer than `maxWaitMs`. Call it periodically. */
  sweep(): void;
  /** Writes out everything still waiting (shutdown). */
  drain(): void;
  stats(): AssemblerStats;
}

interface Waiting {
  calls: LlmCallRow[];
  since: number;
}

interface Closed {
  outcome: string;
  surface: string;
  customer: string;
  /** Calls written before their action span arrived (expired or evicted), for its row. */
  summary: CallSummary | undefined;
}

export function createAssembler(options: AssemblerOptions): Assembler {
  const maxOpen = options.maxOpenActions ?? 10_000;
  const maxWait = options.maxWaitMs ?? 60_000;
  const maxClosed = options.recentClosed ?? 50_000;
  const now = options.now ?? Date.now;
  const waiting = new Map<string, Waiting>();
  const closed = new Map<string, Closed>();
  let waitingCalls = 0;
  const counters = { expiredActions: 0, evictedActions: 0, lateCalls: 0 };

  const remember = (id: string, c: Closed): void => {
    closed.delete(id);
    closed.set(id, c);
    if (closed.size > maxClosed) closed.delete(closed.keys().next().value as string);
  };

  /** Writes the calls of an action whose span has not come, as `unknown`, keeping their totals. */
  const release = (id: string, w: Waiting): void => {
    waiting.delete(id);
    waitingCalls -= w.calls.length;
    const summary = emptySummary();
    for (const c of w.calls) {
      c.surface ||= 'unattributed';
      addToSummary(summary, c);
    }
    remember(id, { outcome: 'unknown', surface: '', customer: '', summary });
    options.emit(w.calls, []);
  };

  return {
    addCall(row) {
      if (!row.action_id) {
        row.surface ||= 'unattributed';
        options.emit([row], []);
        return;
      }
      const done = closed.get(row.action_id);
      if (done) {
        counters.lateCalls++;
        row.action_outcome = done.outcome;
        row.surface ||= done.surface || 'unattributed';
        row.customer ||= done.customer;
        if (done.summary) addToSummary(done.summary, row);
        options.emit([row], []);
        return;
      }
      let w = waiting.get(row.action_id);
      if (!w) {
        if (waiting.size >= maxOpen) {
          const [oldestId, oldest] = waiting.entries().next().value as [string, Waiting];
          counters.evictedActions++;
          release(oldestId, oldest);
        }
        w = { calls: [], since: now() };
        waiting.set(row.action_id, w);
      }
      w.calls.push(row);
      waitingCalls++;
    },

    addAction(span) {
      const facts = readActionSpan(span);
      const w = waiting.get(facts.actionId);
      const prior = closed.get(facts.actionId);
      const summary = prior?.summary ?? emptySummary();
      const calls = w?.calls ?? [];
      if (w) {
        waiting.delete(facts.actionId);
        waitingCalls -= calls.length;
      }
      for (const c of calls) {
        c.action_outcome = facts.outcome;
        c.surface ||= facts.surface;
        c.customer ||= facts.customer;
        addToSummary(summary, c);
      }
      remember(facts.actionId, {
        outcome: facts.outcome,
        surface: facts.surface,
        customer: facts.customer,
        summary: undefined,
      });
      options.emit(calls, [buildActionRow(span, facts, summary)]);
    },

    sweep() {
      const cutoff = now() - maxWait;
      for (const [id, w] of waiting) {
        if (w.since > cutoff) break; // insertion order = arrival order
        counters.expiredActions++;
        release(id, w);
      }
    },

    drain() {
      for (const [id, w] of [...waiting]) release(id, w);
    },

    stats() {
      return { openActions: waiting.size, waitingCalls, ...counters };
    },
  };
}
