/**
 * A bounded set of recently seen spans by (trace id, span id) (see span-key-table.ts: the most
 * recent half of `capacity` is always remembered, at most `capacity`), used to drop spans that
 * exporters and stacked batch processors deliver more than once.
 *
 * @module
 */

import { createSpanKeyTable } from './span-key-table.ts';

export interface SeenSet {
  /** Adds the span; false when it was already there. */
  add(traceId: string, spanId: string): boolean;
  size(): number;
}

export function createSeenSet(capacity: number): SeenSet {
  const keys = createSpanKeyTable(capacity);
  return {
    add(traceId, spanId) {
      return keys.swap(traceId, spanId, 1) === 0;
    },
    size: () => keys.size(),
  };
}
