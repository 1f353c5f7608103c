/**
 * What the assembler keeps of other producers' spans while calls of their trace wait: a light node
 * per span (parent link, name, times, status, the surface-chain values), enough to find the call's
 * local root (the topmost span of the trace that reached this collector) and read the surface.
 *
 * @module
 */

import { COSTLINE_CUSTOMER_ID } from '@costline/semconv';
import type { DecodedSpan } from '../otlp/span.ts';
import { attrString } from '../recognise/attributes.ts';

/** Where the surface of another producer's action is read, first hit wins; then the root's name. */
export const DEFAULT_SURFACE_ATTRIBUTES = [
  'costline.surface',
  'traceloop.workflow.name',
  'gen_ai.agent.name',
  'http.route',
] as const;

export interface TraceNode {
  spanId: string;
  parentSpanId: string;
  name: string;
  startNs: bigint;
  endNs: bigint;
  statusCode: number;
  statusMessage: string;
  service: string;
  customer: string;
  /** The value of each surface-chain attribute on this span (same order as the chain). */
  chain: (string | undefined)[];
  /** True for a model call (its own node, so parents link up through it). */
  call: boolean;
}

/** Rough bytes a node holds, for the assembler's memory bound. */
export const NODE_BYTES = 400;

export function traceNode(span: DecodedSpan, chainKeys: readonly string[], call: boolean): TraceNode {
  return {
    spanId: span.spanId,
    parentSpanId: span.parentSpanId,
    name: span.name,
    startNs: span.startTimeUnixNano,
    endNs: span.endTimeUnixNano,
    statusCode: span.statusCode,
    statusMessage: span.statusMessage,
    service: attrString(span.resource, 'service.name') ?? 'unknown_service',
    customer: attrString(span.attributes, COSTLINE_CUSTOMER_ID) ?? '',
    chain: chainKeys.map((k) => attrString(span.attributes, k)),
    call,
  };
}

/** The topmost node reachable from `spanId` through parents this trace has delivered. */
export function topmost(nodes: ReadonlyMap<string, TraceNode>, spanId: string): TraceNode | undefined {
  let node = nodes.get(spanId);
  for (let hops = 0; node && hops < 10_000; hops++) {
    const parent = nodes.get(node.parentSpanId);
    if (!parent) return node;
    node = parent;
  }
  return node;
}

/**
 * The surface of an action rooted at `root`: for each chain key in order, the root's value, else
 * the first other node of the trace holding it; else `fallback` (the root span's name).
 */
export function chainSurface(root: TraceNode, others: Iterable<TraceNode>, fallback = root.name): string {
  const rest = [...others];
  for (let i = 0; i < root.chain.length; i++) {
    const own = root.chain[i];
    if (own) return own;
    for (const n of rest) {
      const v = n.chain[i];
      if (v) return v;
    }
  }
  return fallback || 'unattributed';
}
