/**
 * What the fault tests check against: the model-call and action span ids of the requests the
 * collector acknowledged, read from the very bodies that were sent.
 *
 * @module
 */

import { gunzipSync } from 'node:zlib';
import { decodeProtobufTraces } from '@costline/collector';

export interface AckedSpans {
  calls: Set<string>;
  actions: Set<string>;
}

export function ackedSpans(bodies: Buffer[]): AckedSpans {
  const calls = new Set<string>();
  const actions = new Set<string>();
  for (const gz of bodies) {
    for (const s of decodeProtobufTraces(gunzipSync(gz)).spans) {
      if (s.attributes['costline.span.kind'] === 'action') actions.add(s.spanId);
      else if (s.attributes['gen_ai.operation.name'] !== undefined) calls.add(s.spanId);
    }
  }
  return { calls, actions };
}

/** Span ids stored with their `sum(sign)`, for exactly-once checks. */
export const STORED_SQL = (db: string, table: string): string =>
  `SELECT span_id, toString(sum(sign)) AS n FROM ${db}.${table} GROUP BY span_id`;

/** Which acknowledged spans are missing, and which spans are stored other than once. */
export function exactlyOnce(
  acked: Set<string>,
  stored: { span_id: string; n: string }[],
): { missing: string[]; notOnce: string[] } {
  const byId = new Map(stored.map((r) => [r.span_id, r.n]));
  return {
    missing: [...acked].filter((id) => byId.get(id) !== '1'),
    notOnce: stored.filter((r) => r.n !== '1' && r.n !== '0').map((r) => `${r.span_id}:${r.n}`),
  };
}
