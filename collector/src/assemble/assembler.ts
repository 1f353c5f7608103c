/**
 * Groups model calls under their action across OTLP requests, like the OTel tail-sampling
 * processor: calls wait until their action arrives, then the calls and the action row are written
 * together with the action's outcome.
 *
 * - Costline calls name their action (`costline.action.id`) and wait for the action span.
 * - Other producers' calls wait for their trace's local root span (the action; its status is the
 *   outcome, its surface from the attribute chain). Without one, the topmost span that came is the
 *   root; when even the call's parent never came (cases/ingest-and-streams.md #6) the calls are
 *   kept, with their cost, as an action of outcome `unknown` named by that missing parent.
 * - Memory is bounded: past `maxOpenActions` or `maxHeldBytes`, or after `maxWaitMs`, waiting calls
 *   are written as an action of outcome `unknown` and counted.
 * - Closed actions are remembered (bounded): a late call takes the action's outcome and appends a
 *   delta row to its totals; a late action span or late outcome appends a cancel row and a new fact
 *   row, and asks `onOutcomeChange` to do the same for the calls already stored.
 * - A call may come whose row is already stored, counted in no stored action (an earlier process
 *   died between a flush's two inserts, and the spool replays it): it counts in its action like any
 *   call — in the new action row, or in a delta row when the action is closed — but its own row is
 *   never written again.
 * - Actions the store held at start (`markStored`) are never written again as new facts: their calls
 *   that come now are written with a delta to the stored row (`onStoredDelta`), a re-delivered
 *   action span is dropped, and the action span of one stored from its calls alone corrects it, as
 *   for a released action.
 *
 * @module
 */

import { ACTION_OUTCOME, COSTLINE_INSTRUMENTATION_SCOPE } from '@costline/semconv';
import { OrderedMap } from '../ordered-map.ts';
import { cancelRow, factRow } from '../store/correction-rows.ts';
import { ACTION_ADDITIVE } from '../store/rows.ts';
import type { ActionRow, LlmCallRow } from '../store/rows.ts';
import { addDelta, buildActionRow, deltaActionRow, readActionSpan, spanSource } from './action-row.ts';
import type { ActionFacts, ActionSource } from './action-row.ts';
import {
  callRowBytes,
  callsSource,
  FOREIGN,
  groupByTopmost,
  nodeSource,
  rootedOrphan,
  rootFacts,
  unknownFacts,
} from './action-sources.ts';
import { addToSummary, emptySummary } from './call-summary.ts';
import type { Assembler, AssemblerOptions } from './assembler-types.ts';
// Kept importable from here: the pipeline and the collector name the assembler's types by this module.
export type { Assembler, AssemblerOptions, AssemblerStats } from './assembler-types.ts';
import { readOutcomeSpan } from './outcome-span.ts';
import type { LateOutcome } from './outcome-span.ts';
import { chainSurface, DEFAULT_SURFACE_ATTRIBUTES, NODE_BYTES, traceNode } from './trace-nodes.ts';
import type { TraceNode } from './trace-nodes.ts';

interface Waiting {
  calls: LlmCallRow[];
  since: number;
  bytes: number;
  traceId: string;
  /** Other producers' trace: the nodes seen so far (calls included), by span id. */
  nodes: Map<string, TraceNode> | undefined;
}

const CLOSED_BYTES = 1200;
const RELEASED_BYTES = 120;

export function createAssembler(options: AssemblerOptions): Assembler {
  const maxOpen = options.maxOpenActions ?? 10_000;
  const maxWait = options.maxWaitMs ?? 60_000;
  const maxBytes = options.maxHeldBytes ?? 256 * 1024 * 1024;
  const maxClosed = options.recentClosed ?? 20_000;
  const maxReleased = options.recentReleased ?? 200_000;
  const maxStored = options.recentStored ?? 200_000;
  const chainKeys = options.surfaceAttributes ?? DEFAULT_SURFACE_ATTRIBUTES;
  const now = options.now ?? Date.now;
  const waiting = new OrderedMap<string, Waiting>();
  /** Closed actions by action id: the row as it now stands in the store (fact + deltas). */
  const closed = new OrderedMap<string, ActionRow>();
  /** Other producers' traces already turned into an action: trace id → action id. */
  const closedTraces = new OrderedMap<string, string>();
  /** Root spans of other producers that came before any call of their trace. */
  const roots = new OrderedMap<string, TraceNode>();
  /** Outcomes that came while their action was still open. */
  const pendingOutcomes = new OrderedMap<string, LateOutcome>();
  /** Ids of actions written from their calls alone (kept longer than `closed`: ids only). */
  const released = new OrderedMap<string, true>();
  /** Ids of actions the store held at start (`markStored`) → whether known by their calls alone. */
  const stored = new OrderedMap<string, boolean>();
  /** Call rows the store already holds (see `addCall`), until they are left out of a write. */
  const storedRows = new WeakSet<LlmCallRow>();
  let storedRowsHeld = 0;
  let waitingCalls = 0;
  let heldBytes = 0;
  const counters = { expiredActions: 0, evictedActions: 0, lateCalls: 0, lateOutcomes: 0, orphanCalls: 0 };

  const bounded = <K, V>(map: OrderedMap<K, V>, key: K, value: V, max: number, bytes = 0): void => {
    heldBytes += bytes * map.setNewest(key, value, max);
  };
  const remember = (row: ActionRow): void => {
    bounded(closed, row.action_id, row, maxClosed, CLOSED_BYTES);
    bounded(closedTraces, row.trace_id, row.action_id, maxClosed);
  };

  /** Hands rows to the writer, leaving out call rows the store already holds. */
  const write = (calls: LlmCallRow[], actions: ActionRow[]): void => {
    if (storedRowsHeld > 0)
      calls = calls.filter((c) => {
        if (!storedRows.has(c)) return true;
        storedRows.delete(c);
        storedRowsHeld--;
        return false;
      });
    if (calls.length > 0 || actions.length > 0) options.emit(calls, actions);
  };

  const drop = (key: string, w: Waiting): void => {
    waiting.delete(key);
    waitingCalls -= w.calls.length;
    heldBytes -= w.bytes;
  };

  /** Writes `calls` under a new action and remembers it. */
  const close = (source: ActionSource, facts: ActionFacts, calls: LlmCallRow[]): ActionRow => {
    const pending = pendingOutcomes.get(facts.actionId);
    if (pending) {
      pendingOutcomes.delete(facts.actionId);
      facts = { ...facts, outcome: pending.outcome, failureReason: pending.failureReason };
    }
    const summary = emptySummary();
    for (const c of calls) {
      c.action_outcome = facts.outcome;
      c.action_id ||= facts.actionId;
      c.surface ||= facts.surface;
      c.customer ||= facts.customer;
      addToSummary(summary, c);
    }
    const row = buildActionRow(source, facts, summary);
    remember(row);
    if (facts.outcome === ACTION_OUTCOME.unknown && source.spanId === '')
      bounded(released, row.action_id, true, maxReleased, RELEASED_BYTES);
    write(calls, [row]);
    return row;
  };

  /** A call (or calls) for an action already written: the call, and a delta row on the action. */
  const late = (action: ActionRow, calls: LlmCallRow[]): void => {
    counters.lateCalls += calls.length;
    const summary = emptySummary();
    for (const c of calls) {
      c.action_outcome = action.outcome;
      c.action_id ||= action.action_id;
      c.surface ||= action.surface;
      c.customer ||= action.customer;
      addToSummary(summary, c);
    }
    const delta = deltaActionRow(action, summary);
    let next = addDelta(action, delta);
    const rows: ActionRow[] = [delta];
    if (!action.app_cache_hit && summary.appCacheHits > 0) {
      // A flag changed, not only totals: replace the row instead of adding to it.
      next = { ...next, app_cache_hit: true };
      rows.splice(0, 1, cancelRow(action, ACTION_ADDITIVE), factRow(next, {}));
    }
    remember({ ...next, sign: 1 });
    write(calls, rows);
  };

  /**
   * Calls of an action written and forgotten here, or stored before this process started: the
   * calls are written, and their totals added to the stored action row.
   */
  const toStored = (
    actionId: string,
    calls: LlmCallRow[],
    onStoredDelta: NonNullable<AssemblerOptions['onStoredDelta']>,
    surface = '',
  ): void => {
    if (calls.length === 0) return;
    counters.lateCalls += calls.length;
    const delta = emptySummary();
    for (const c of calls) {
      c.action_id ||= actionId;
      c.surface ||= surface || 'unattributed';
      addToSummary(delta, c);
    }
    write(calls, []);
    onStoredDelta(actionId, delta);
  };

  /** Writes `calls` under a new action — unless the store held that action at start: then it adds to it. */
  const settle = (source: ActionSource, facts: ActionFacts, calls: LlmCallRow[]): void => {
    if (options.onStoredDelta && stored.has(facts.actionId))
      toStored(facts.actionId, calls, options.onStoredDelta, facts.surface);
    else close(source, facts, calls);
  };

  /** The action row changes (late action span, late outcome): cancel it and append the new fact. */
  const replace = (old: ActionRow, next: ActionRow): void => {
    const fact = factRow(next, {});
    remember(fact);
    write([], [cancelRow(old, ACTION_ADDITIVE), fact]);
    const surface = old.surface === 'unattributed' && next.surface !== old.surface ? next.surface : undefined;
    if (old.outcome !== next.outcome || surface)
      options.onOutcomeChange?.({
        actionId: old.action_id,
        outcome: next.outcome,
        failureReason: next.failure_reason,
        actions: false,
        surface,
      });
  };

  /** Writes the waiting calls of `key` with outcome `unknown` (or their local root's status). */
  const release = (key: string, w: Waiting): void => {
    drop(key, w);
    if (!w.nodes) {
      const first = w.calls[0];
      settle(callsSource(w.calls), unknownFacts(key, first?.surface, first?.customer), w.calls);
      return;
    }
    // Other producers' trace without its root: group the calls by the topmost span that came.
    for (const [id, g] of groupByTopmost(w.nodes, w.calls, chainKeys)) {
      if (g.root.call) {
        counters.orphanCalls += g.calls.length;
        settle(
          callsSource(g.calls),
          unknownFacts(id, chainSurface(g.root, w.nodes.values(), 'unattributed'), ''),
          g.calls,
        );
      } else settle(nodeSource(w.traceId, g.root), rootFacts(g.root, w.nodes.values()), g.calls);
    }
  };

  const evictIfNeeded = (): void => {
    while (waiting.size > maxOpen || (heldBytes > maxBytes && waiting.size > 0)) {
      const [key, w] = waiting.shift() as [string, Waiting];
      counters.evictedActions++;
      release(key, w);
    }
  };

  const hold = (key: string, traceId: string, row: LlmCallRow, node: TraceNode | undefined): void => {
    let w = waiting.get(key);
    if (!w) {
      w = { calls: [], since: now(), bytes: 0, traceId, nodes: node ? new Map() : undefined };
      waiting.set(key, w);
    }
    const bytes = callRowBytes(row) + (node ? NODE_BYTES : 0);
    w.calls.push(row);
    if (node) w.nodes?.set(node.spanId, node);
    w.bytes += bytes;
    heldBytes += bytes;
    waitingCalls++;
    evictIfNeeded();
  };

  return {
    addCall(row, span, rowStored = false) {
      if (rowStored) {
        storedRows.add(row);
        storedRowsHeld++;
      }
      if (row.action_id) {
        const done = closed.get(row.action_id);
        if (done) late(done, [row]);
        else if (options.onStoredDelta && (released.has(row.action_id) || stored.has(row.action_id)))
          toStored(row.action_id, [row], options.onStoredDelta);
        else hold(row.action_id, row.trace_id, row, undefined);
        return;
      }
      // Costline's own calls without an action id ran outside any action: they stand alone.
      if (!span || span.scopeName === COSTLINE_INSTRUMENTATION_SCOPE) {
        row.surface ||= 'unattributed';
        write([row], []);
        return;
      }
      const node = traceNode(span, chainKeys, true);
      const closedId = closedTraces.get(row.trace_id);
      const done = closedId === undefined ? undefined : closed.get(closedId);
      if (done) {
        late(done, [row]);
        return;
      }
      const root = row.parent_span_id === '' ? { ...node, call: false } : roots.get(row.trace_id);
      if (root) {
        roots.delete(row.trace_id);
        settle(nodeSource(row.trace_id, root), rootFacts(root, [node]), [row]);
        return;
      }
      hold(FOREIGN + row.trace_id, row.trace_id, row, node);
    },

    addAction(span) {
      const facts = readActionSpan(span);
      const w = waiting.get(facts.actionId);
      if (w) drop(facts.actionId, w);
      const prior = closed.get(facts.actionId);
      if (!prior) {
        const callsOnly = options.onStoredDelta ? stored.get(facts.actionId) : undefined;
        if (callsOnly === false && options.onStoredDelta) {
          // Stored with this very span before this process started (a re-delivery the store's key
          // window missed): only calls that waited here for it are new.
          toStored(facts.actionId, w?.calls ?? [], options.onStoredDelta, facts.surface);
          return;
        }
        const row = close(spanSource(span), facts, w?.calls ?? []);
        // Stored from its calls alone, before this process started: this row takes their totals.
        if (callsOnly) bounded(stored, facts.actionId, false, maxStored, RELEASED_BYTES);
        if (released.has(facts.actionId) || callsOnly)
          options.onOutcomeChange?.({
            actionId: facts.actionId,
            outcome: row.outcome,
            failureReason: row.failure_reason,
            actions: false,
            adopt: row,
          });
        return;
      }
      // Its calls were already written as `unknown` (they waited too long): correct the row.
      const next = buildActionRow(spanSource(span), facts, emptySummary());
      for (const col of ACTION_ADDITIVE) {
        if (col !== 'duration_ms') (next as unknown as Record<string, unknown>)[col] = prior[col];
      }
      next.app_cache_hit ||= prior.app_cache_hit;
      replace(prior, next);
      if (w) late(closed.get(facts.actionId) ?? next, w.calls);
    },

    addSpan(span) {
      const outcome = readOutcomeSpan(span);
      if (outcome) {
        counters.lateOutcomes++;
        const done = closed.get(outcome.actionId);
        if (done) {
          if (done.outcome !== outcome.outcome || done.failure_reason !== outcome.failureReason)
            replace(done, { ...done, outcome: outcome.outcome, failure_reason: outcome.failureReason });
        } else if (waiting.has(outcome.actionId)) {
          bounded(pendingOutcomes, outcome.actionId, outcome, maxClosed);
        } else {
          // Not held here (older, or before a restart): the store has it, if anyone does.
          bounded(pendingOutcomes, outcome.actionId, outcome, maxClosed);
          options.onOutcomeChange?.({ ...outcome, actions: true });
        }
        return;
      }
      const key = FOREIGN + span.traceId;
      const w = waiting.get(key);
      if (span.parentSpanId === '') {
        const root = traceNode(span, chainKeys, false);
        if (w) {
          drop(key, w);
          settle(nodeSource(span.traceId, root), rootFacts(root, w.nodes?.values() ?? []), w.calls);
          return;
        }
        const id = closedTraces.get(span.traceId);
        const done = id === undefined ? undefined : closed.get(id);
        if (!done) bounded(roots, span.traceId, root, maxClosed, NODE_BYTES);
        else if (done.span_id === '' && done.outcome === ACTION_OUTCOME.unknown) {
          // The calls waited too long and were written as an orphan action: the root came after all.
          replace(done, rootedOrphan(done, root, span.traceId));
        }
        return;
      }
      if (w?.nodes && !w.nodes.has(span.spanId)) {
        w.nodes.set(span.spanId, traceNode(span, chainKeys, false));
        w.bytes += NODE_BYTES;
        heldBytes += NODE_BYTES;
        evictIfNeeded();
      }
    },

    sweep() {
      const cutoff = now() - maxWait;
      for (const [key, w] of waiting) {
        if (w.since > cutoff) break; // insertion order = arrival order
        counters.expiredActions++;
        release(key, w);
      }
    },

    drain() {
      for (const [key, w] of [...waiting]) release(key, w);
    },

    markStored(actions) {
      for (const a of actions) bounded(stored, a.actionId, a.callsOnly, maxStored, RELEASED_BYTES);
    },

    stats() {
      return { openActions: waiting.size, waitingCalls, heldBytes, ...counters };
    },
  };
}
