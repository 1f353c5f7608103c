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
 *
 * @module
 */

import { ACTION_OUTCOME, COSTLINE_INSTRUMENTATION_SCOPE } from '@costline/semconv';
import type { DecodedSpan } from '../otlp/span.ts';
import { cancelRow, factRow } from '../store/correction-rows.ts';
import { ACTION_ADDITIVE } from '../store/rows.ts';
import type { ActionRow, LlmCallRow } from '../store/rows.ts';
import {
  addDelta,
  buildActionRow,
  deltaActionRow,
  outcomeOfStatus,
  readActionSpan,
  spanSource,
} from './action-row.ts';
import type { ActionFacts, ActionSource } from './action-row.ts';
import { addToSummary, emptySummary } from './call-summary.ts';
import type { OutcomeChange } from '../store/outcome-correction.ts';
import { readOutcomeSpan } from './outcome-span.ts';
import type { LateOutcome } from './outcome-span.ts';
import { chainSurface, DEFAULT_SURFACE_ATTRIBUTES, NODE_BYTES, topmost, traceNode } from './trace-nodes.ts';
import type { TraceNode } from './trace-nodes.ts';

export interface AssemblerOptions {
  /** Most actions whose calls may wait at once. @default 10000 */
  maxOpenActions?: number;
  /** How long calls wait for their action. @default 60000 */
  maxWaitMs?: number;
  /** Bound on the (estimated) bytes of waiting calls, trace nodes and remembered actions. @default 256 MiB */
  maxHeldBytes?: number;
  /** How many closed actions are remembered for late calls and outcomes. @default 20000 */
  recentClosed?: number;
  /**
   * How many ids of actions written from their calls alone (outcome `unknown`) are remembered, so
   * their action span, arriving after the action itself was forgotten, corrects the stored rows.
   * @default 200000
   */
  recentReleased?: number;
  /** Attributes naming the surface of another producer's action. @default DEFAULT_SURFACE_ATTRIBUTES */
  surfaceAttributes?: readonly string[];
  emit: (calls: LlmCallRow[], actions: ActionRow[]) => void;
  /**
   * The outcome of an action changed after its calls were stored (late action span or late
   * outcome): their rows need a cancel and a new fact. `actions` is true when the assembler does not
   * hold the action either, so its row must be corrected from the store too.
   */
  onOutcomeChange?: (change: OutcomeChange) => void;
  now?: () => number;
}

export interface AssemblerStats {
  openActions: number;
  waitingCalls: number;
  heldBytes: number;
  expiredActions: number;
  evictedActions: number;
  lateCalls: number;
  lateOutcomes: number;
  orphanCalls: number;
}

export interface Assembler {
  addCall(row: LlmCallRow, span?: DecodedSpan): void;
  addAction(span: DecodedSpan): void;
  /** Any other span: a late outcome, or part of another producer's trace. */
  addSpan(span: DecodedSpan): void;
  /** Writes out what waited longer than `maxWaitMs`. Call it periodically. */
  sweep(): void;
  /** Writes out everything still waiting (shutdown). */
  drain(): void;
  stats(): AssemblerStats;
}

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
const FOREIGN = 'trace:';

/** Rough bytes a waiting call row holds (V8 object + strings), for the memory bound. */
export function callRowBytes(row: LlmCallRow): number {
  let n = 700;
  for (const v of Object.values(row)) if (typeof v === 'string') n += 24 + v.length;
  return n;
}

export function createAssembler(options: AssemblerOptions): Assembler {
  const maxOpen = options.maxOpenActions ?? 10_000;
  const maxWait = options.maxWaitMs ?? 60_000;
  const maxBytes = options.maxHeldBytes ?? 256 * 1024 * 1024;
  const maxClosed = options.recentClosed ?? 20_000;
  const maxReleased = options.recentReleased ?? 200_000;
  const chainKeys = options.surfaceAttributes ?? DEFAULT_SURFACE_ATTRIBUTES;
  const now = options.now ?? Date.now;
  const waiting = new Map<string, Waiting>();
  /** Closed actions by action id: the row as it now stands in the store (fact + deltas). */
  const closed = new Map<string, ActionRow>();
  /** Other producers' traces already turned into an action: trace id → action id. */
  const closedTraces = new Map<string, string>();
  /** Root spans of other producers that came before any call of their trace. */
  const roots = new Map<string, TraceNode>();
  /** Outcomes that came while their action was still open. */
  const pendingOutcomes = new Map<string, LateOutcome>();
  /** Ids of actions written from their calls alone (kept longer than `closed`: ids only). */
  const released = new Map<string, true>();
  let waitingCalls = 0;
  let heldBytes = 0;
  const counters = { expiredActions: 0, evictedActions: 0, lateCalls: 0, lateOutcomes: 0, orphanCalls: 0 };

  const bounded = <K, V>(map: Map<K, V>, key: K, value: V, max: number, bytes = 0): void => {
    if (!map.has(key)) heldBytes += bytes;
    map.delete(key);
    map.set(key, value);
    while (map.size > max) {
      map.delete(map.keys().next().value as K);
      heldBytes -= bytes;
    }
  };
  const remember = (row: ActionRow): void => {
    bounded(closed, row.action_id, row, maxClosed, CLOSED_BYTES);
    bounded(closedTraces, row.trace_id, row.action_id, maxClosed);
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
    options.emit(calls, [row]);
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
    options.emit(calls, rows);
  };

  /** The action row changes (late action span, late outcome): cancel it and append the new fact. */
  const replace = (old: ActionRow, next: ActionRow): void => {
    const fact = factRow(next, {});
    remember(fact);
    options.emit([], [cancelRow(old, ACTION_ADDITIVE), fact]);
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
      close(callsSource(w.calls), unknownFacts(key, first?.surface, first?.customer), w.calls);
      return;
    }
    // Other producers' trace without its root: group the calls by the topmost span that came.
    const groups = new Map<string, { root: TraceNode; calls: LlmCallRow[] }>();
    for (const c of w.calls) {
      const top = topmost(w.nodes, c.span_id);
      const id = top && !top.call ? top.spanId : top?.parentSpanId || c.span_id;
      const g = groups.get(id) ?? { root: top ?? traceNode(emptySpan(c), chainKeys, true), calls: [] };
      g.calls.push(c);
      groups.set(id, g);
    }
    for (const [id, g] of groups) {
      if (g.root.call) {
        counters.orphanCalls += g.calls.length;
        close(
          callsSource(g.calls),
          unknownFacts(id, chainSurface(g.root, w.nodes.values(), 'unattributed'), ''),
          g.calls,
        );
      } else close(nodeSource(w.traceId, g.root), rootFacts(g.root, w.nodes.values()), g.calls);
    }
  };

  const evictIfNeeded = (): void => {
    while (waiting.size > maxOpen || (heldBytes > maxBytes && waiting.size > 0)) {
      const [key, w] = waiting.entries().next().value as [string, Waiting];
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

  const rootFacts = (root: TraceNode, others: Iterable<TraceNode>): ActionFacts => {
    const outcome = outcomeOfStatus(root.statusCode);
    return {
      actionId: root.spanId,
      surface: chainSurface(root, others),
      customer: root.customer,
      outcome,
      failureReason: outcome === 'failure' ? root.statusMessage || 'error' : '',
      appCacheHit: false,
      earlyExitRule: '',
    };
  };

  return {
    addCall(row, span) {
      if (row.action_id) {
        const done = closed.get(row.action_id);
        if (done) late(done, [row]);
        else hold(row.action_id, row.trace_id, row, undefined);
        return;
      }
      // Costline's own calls without an action id ran outside any action: they stand alone.
      if (!span || span.scopeName === COSTLINE_INSTRUMENTATION_SCOPE) {
        row.surface ||= 'unattributed';
        options.emit([row], []);
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
        close(nodeSource(row.trace_id, root), rootFacts(root, [node]), [row]);
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
        const row = close(spanSource(span), facts, w?.calls ?? []);
        if (released.has(facts.actionId))
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
          close(nodeSource(span.traceId, root), rootFacts(root, w.nodes?.values() ?? []), w.calls);
          return;
        }
        const id = closedTraces.get(span.traceId);
        const done = id === undefined ? undefined : closed.get(id);
        if (!done) bounded(roots, span.traceId, root, maxClosed, NODE_BYTES);
        else if (done.span_id === '' && done.outcome === ACTION_OUTCOME.unknown) {
          // The calls waited too long and were written as an orphan action: the root came after all.
          const facts = rootFacts(root, []);
          const source = nodeSource(span.traceId, root);
          const row = buildActionRow(source, { ...facts, actionId: done.action_id }, emptySummary());
          replace(done, {
            ...done,
            ts: row.ts,
            end_ts: row.end_ts,
            span_id: row.span_id,
            service: row.service,
            surface: done.surface === 'unattributed' ? facts.surface : done.surface,
            outcome: facts.outcome,
            failure_reason: facts.failureReason,
            duration_ms: row.duration_ms,
          });
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

    stats() {
      return { openActions: waiting.size, waitingCalls, heldBytes, ...counters };
    },
  };
}

function unknownFacts(
  actionId: string,
  surface: string | undefined,
  customer: string | undefined,
): ActionFacts {
  return {
    actionId: actionId.startsWith(FOREIGN) ? actionId.slice(FOREIGN.length) : actionId,
    surface: surface || 'unattributed',
    customer: customer ?? '',
    outcome: ACTION_OUTCOME.unknown,
    failureReason: '',
    appCacheHit: false,
    earlyExitRule: '',
  };
}

/** An action known only by its calls: from the first call's start to the last call's end. */
function callsSource(calls: LlmCallRow[]): ActionSource {
  let start = Number.POSITIVE_INFINITY;
  let end = 0;
  for (const c of calls) {
    const t = Date.parse(`${c.ts.replace(' ', 'T')}Z`);
    start = Math.min(start, t);
    end = Math.max(end, t + c.duration_ms);
  }
  const first = calls[0];
  return {
    traceId: first?.trace_id ?? '',
    spanId: '',
    startNs: BigInt(Math.round(start)) * 1_000_000n,
    endNs: BigInt(Math.round(end)) * 1_000_000n,
    service: first?.service ?? 'unknown_service',
  };
}

function nodeSource(traceId: string, node: TraceNode): ActionSource {
  return { traceId, spanId: node.spanId, startNs: node.startNs, endNs: node.endNs, service: node.service };
}

/** A stand-in node for a call whose own node is gone (never happens unless the tree was cut). */
function emptySpan(c: LlmCallRow): DecodedSpan {
  const startNs = BigInt(Date.parse(`${c.ts.replace(' ', 'T')}Z`)) * 1_000_000n;
  return {
    traceId: c.trace_id,
    spanId: c.span_id,
    parentSpanId: c.parent_span_id,
    name: '',
    kind: 0,
    startTimeUnixNano: startNs,
    endTimeUnixNano: startNs,
    attributes: {},
    events: [],
    statusCode: 0,
    statusMessage: '',
    scopeName: '',
    scopeVersion: '',
    resource: { 'service.name': c.service },
  };
}
