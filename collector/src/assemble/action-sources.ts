/**
 * Where an action comes from when no Costline action span stands for it: another producer's root
 * span (its status the outcome, its surface from the chain), or only its calls (outcome
 * `unknown`, from the first call's start to the last call's end). Also the byte estimate of a held
 * call, which the assembler's memory bound adds up.
 *
 * @module
 */

import { ACTION_OUTCOME } from '@costline/semconv';
import type { DecodedSpan } from '../otlp/span.ts';
import type { ActionRow, LlmCallRow } from '../store/rows.ts';
import { buildActionRow, outcomeOfStatus } from './action-row.ts';
import type { ActionFacts, ActionSource } from './action-row.ts';
import { emptySummary } from './call-summary.ts';
import { chainSurface, topmost, traceNode } from './trace-nodes.ts';
import type { TraceNode } from './trace-nodes.ts';

/** Prefix of the waiting key of another producer's trace (its calls wait by trace id). */
export const FOREIGN = 'trace:';

/** Rough bytes a waiting call row holds (V8 object, strings, nested maps and arrays). */
export function callRowBytes(row: LlmCallRow): number {
  let n = 700;
  for (const key in row) {
    const v = (row as unknown as Record<string, unknown>)[key];
    if (typeof v === 'string') n += 24 + v.length;
    else if (Array.isArray(v)) n += 32 + 16 * v.length;
    else if (v !== null && typeof v === 'object') n += 120 + 64 * Object.keys(v).length;
  }
  return n;
}

export function rootFacts(root: TraceNode, others: Iterable<TraceNode>): ActionFacts {
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
}

export function unknownFacts(
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
export function callsSource(calls: LlmCallRow[]): ActionSource {
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

export function nodeSource(traceId: string, node: TraceNode): ActionSource {
  return { traceId, spanId: node.spanId, startNs: node.startNs, endNs: node.endNs, service: node.service };
}

/**
 * Other producers' calls whose trace root never came, grouped by the topmost span of theirs that
 * did (by its id, or by the missing parent of a topmost call): one action per group.
 */
export function groupByTopmost(
  nodes: ReadonlyMap<string, TraceNode>,
  calls: LlmCallRow[],
  chainKeys: readonly string[],
): Map<string, { root: TraceNode; calls: LlmCallRow[] }> {
  const groups = new Map<string, { root: TraceNode; calls: LlmCallRow[] }>();
  for (const c of calls) {
    const top = topmost(nodes, c.span_id);
    const id = top && !top.call ? top.spanId : top?.parentSpanId || c.span_id;
    const g = groups.get(id) ?? { root: top ?? traceNode(emptySpan(c), chainKeys, true), calls: [] };
    g.calls.push(c);
    groups.set(id, g);
  }
  return groups;
}

/**
 * The row of an action written from its calls alone (an orphan of outcome `unknown`) once its
 * trace's root came after all: the root's times, span, service and outcome; its surface unless the
 * orphan had one of its own.
 */
export function rootedOrphan(done: ActionRow, root: TraceNode, traceId: string): ActionRow {
  const facts = rootFacts(root, []);
  const row = buildActionRow(
    nodeSource(traceId, root),
    { ...facts, actionId: done.action_id },
    emptySummary(),
  );
  return {
    ...done,
    ts: row.ts,
    end_ts: row.end_ts,
    span_id: row.span_id,
    service: row.service,
    surface: done.surface === 'unattributed' ? facts.surface : done.surface,
    outcome: facts.outcome,
    failure_reason: facts.failureReason,
    duration_ms: row.duration_ms,
  };
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
