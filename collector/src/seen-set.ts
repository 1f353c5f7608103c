/**
 * A bounded set of recently seen keys (insertion-ordered, oldest evicted first), used to drop spans
 * that exporters and stacked batch processors deliver more than once.
 *
 * @module
 */

export interface SeenSet {
  /** Adds the key; false when it was already there. */
  add(key: string): boolean;
  size(): number;
}

export function createSeenSet(capacity: number): SeenSet {
  const keys = new Set<string>();
  return {
    add(key) {
      if (keys.has(key)) return false;
      keys.add(key);
      if (keys.size > capacity) keys.delete(keys.values().next().value as string);
      return true;
    },
    size: () => keys.size,
  };
}
