/**
 * A bounded memory of recent keys, in two generations of at most half the capacity each: when the
 * current one is full, the older one is dropped whole and the current one becomes the older.
 * Forgetting half at once costs nothing per operation, where evicting the oldest entry on every
 * insert made each insert a delete too (and left holes in the map's table for V8 to compact) — on
 * the ingest path that runs several times per span. It holds between half the capacity and the
 * capacity; the most recent half is always remembered.
 *
 * @module
 */

export interface RecentMap<V> {
  get(key: string): V | undefined;
  has(key: string): boolean;
  set(key: string, value: V): void;
  size(): number;
}

export function createRecentMap<V>(capacity: number): RecentMap<V> {
  const half = Math.max(1, Math.ceil(capacity / 2));
  let current = new Map<string, V>();
  let older = new Map<string, V>();
  return {
    get(key) {
      const v = current.get(key);
      return v !== undefined ? v : older.get(key);
    },
    has: (key) => current.has(key) || older.has(key),
    set(key, value) {
      current.set(key, value);
      if (current.size >= half) {
        older = current;
        current = new Map();
      }
    },
    size: () => current.size + older.size,
  };
}
