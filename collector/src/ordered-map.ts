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
 * But an iterator that does not move holds memory: when the Map compacts or grows, it moves to a
 * new table, and the old one — with every entry it held then — stays alive for the iterators still
 * on it, linked to the next, until they move on. A map whose entries mostly leave by `delete` (open
 * actions closing) and seldom by `shift` kept every table of its life: 23 MB more heap per 50,000
 * deletes of 10,000 entries, without bound (a plain Map: flat). So an iterator that has not moved
 * for as many changes as the map holds is dropped (a new one is made at the next `shift`): the
 * tables it can hold are the few of that many changes. A map evicting at every insert keeps its
 * iterator.
 *
 * @module
 */

/** Changes a parked iterator survives beyond the map's size (small maps change tables often). */
const PARKED_SLACK = 64;

export class OrderedMap<K, V> extends Map<K, V> {
  #oldest: MapIterator<[K, V]> | undefined;
  /** Changes since the iterator last moved. */
  #parked = 0;

  constructor() {
    // No entries at construction: the Map constructor would call `set` before the fields exist.
    super();
  }

  override set(key: K, value: V): this {
    this.#changed();
    return super.set(key, value);
  }

  override delete(key: K): boolean {
    this.#changed();
    return super.delete(key);
  }

  override clear(): void {
    this.#oldest = undefined;
    super.clear();
  }

  /**
   * Sets `key` as the newest entry (an entry already there moves to the end), then removes the
   * oldest ones past `max` entries; returns the change in size (1, 0, or less when `max` shrank).
   */
  setNewest(key: K, value: V, max: number): number {
    const before = this.size;
    if (this.has(key)) this.delete(key);
    this.set(key, value);
    while (this.size > max) this.shift();
    return this.size - before;
  }

  /** Removes the oldest entry (the least recently inserted) and returns it. */
  shift(): [K, V] | undefined {
    this.#oldest ??= super.entries();
    let next = this.#oldest.next();
    if (next.done) {
      // A finished iterator stays finished: the map was empty; start again from its front.
      this.#oldest = super.entries();
      next = this.#oldest.next();
      if (next.done) return undefined;
    }
    this.#parked = 0;
    super.delete(next.value[0]);
    return next.value;
  }

  #changed(): void {
    if (this.#oldest !== undefined && ++this.#parked > this.size + PARKED_SLACK) {
      this.#oldest = undefined;
      this.#parked = 0;
    }
  }
}
