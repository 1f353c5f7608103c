/**
 * A Map that hands out its oldest entry in constant time (`shift`), for the bounded memories that
 * forget the oldest entry when full.
 *
 * `map.delete(map.keys().next().value)` looks constant but is not in V8: a Map keeps deleted
 * entries as holes until it next grows or compacts, and a fresh iterator walks over every hole at
 * the front. Deleting the oldest entry on each insert piles those holes up exactly there, so each
 * eviction cost a walk over up to the map's capacity: 15 µs per insert at 20,000 entries
 * (against 0.3 µs here), and the assembler did two per action. `shift` keeps one iterator alive
 * between calls instead: every entry before it has been deleted (it deleted them, and entries are
 * only ever added at the end), so the next live entry it meets is the oldest.
 *
 * @module
 */

export class OrderedMap<K, V> extends Map<K, V> {
  #oldest: MapIterator<[K, V]> = super.entries();

  /** Removes the oldest entry (the least recently inserted) and returns it. */
  shift(): [K, V] | undefined {
    let next = this.#oldest.next();
    if (next.done) {
      // A finished iterator stays finished: the map was empty; start again from its front.
      this.#oldest = super.entries();
      next = this.#oldest.next();
      if (next.done) return undefined;
    }
    this.delete(next.value[0]);
    return next.value;
  }
}
