/**
 * A bounded set of recently seen keys (see recent-map.ts: the most recent half of `capacity` is
 * always remembered, at most `capacity`), used to drop spans that exporters and stacked batch
 * processors deliver more than once.
 *
 * @module
 */

import { createRecentMap } from './recent-map.ts';

export interface SeenSet {
  /** Adds the key; false when it was already there. */
  add(key: string): boolean;
  size(): number;
}

export function createSeenSet(capacity: number): SeenSet {
  const keys = createRecentMap<true>(capacity);
  return {
    add(key) {
      if (keys.has(key)) return false;
      keys.set(key, true);
      return true;
    },
    size: () => keys.size(),
  };
}
