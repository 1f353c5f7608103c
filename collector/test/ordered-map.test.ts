import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { OrderedMap } from '../src/ordered-map.ts';

/** A small deterministic generator, so a failure replays. */
function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => (s = (Math.imul(s, 1_664_525) + 1_013_904_223) >>> 0) / 2 ** 32;
}

describe('ordered map', () => {
  it('shift returns the oldest entry under any mix of inserts, re-inserts, deletes and shifts', () => {
    const rand = lcg(7);
    const m = new OrderedMap<string, number>();
    // The reference: a plain Map, whose first key (found the slow way) is the oldest.
    const model = new Map<string, number>();
    for (let i = 0; i < 20_000; i++) {
      const r = rand();
      const key = `k${Math.floor(rand() * 300)}`;
      if (r < 0.45) {
        // Insert, or move an existing key to the end (delete + set), as the bounded memories do.
        for (const x of [m, model]) {
          x.delete(key);
          x.set(key, i);
        }
      } else if (r < 0.7) {
        m.delete(key);
        model.delete(key);
      } else if (r < 0.72) {
        // An update in place keeps the entry's age.
        if (model.has(key)) for (const x of [m, model]) x.set(key, -i);
      } else {
        const oldest = model.keys().next();
        const want = oldest.done ? undefined : ([oldest.value, model.get(oldest.value)] as [string, number]);
        if (want) model.delete(want[0]);
        expect(m.shift()).toEqual(want);
      }
      expect(m.size).toBe(model.size);
    }
    expect([...m]).toEqual([...model]);
  });

  it('setNewest moves or adds the key to the end, evicts the oldest past max, and says how the size changed', () => {
    const m = new OrderedMap<string, number>();
    expect(m.setNewest('a', 1, 3)).toBe(1);
    expect(m.setNewest('b', 2, 3)).toBe(1);
    expect(m.setNewest('c', 3, 3)).toBe(1);
    expect(m.setNewest('a', 4, 3)).toBe(0); // moved, with its new value
    expect([...m]).toEqual([
      ['b', 2],
      ['c', 3],
      ['a', 4],
    ]);
    expect(m.setNewest('d', 5, 3)).toBe(0); // added, and 'b' evicted
    expect([...m.keys()]).toEqual(['c', 'a', 'd']);
    expect(m.setNewest('e', 6, 1)).toBe(-2); // a smaller bound evicts down to it
    expect([...m]).toEqual([['e', 6]]);
  });

  it('shift on an empty map returns undefined, and the map still works after emptying', () => {
    const m = new OrderedMap<string, number>();
    expect(m.shift()).toBeUndefined();
    m.set('a', 1);
    m.set('b', 2);
    expect(m.shift()).toEqual(['a', 1]);
    expect(m.shift()).toEqual(['b', 2]);
    expect(m.shift()).toBeUndefined();
    m.set('c', 3);
    m.set('a', 4);
    expect(m.shift()).toEqual(['c', 3]);
    expect([...m]).toEqual([['a', 4]]);
  });

  it('evicting the oldest entry at every insert keeps the order while holes pile up at the front', () => {
    const m = new OrderedMap<number, number>();
    for (let i = 0; i < 50_000; i++) {
      m.set(i, i);
      if (m.size > 1000) expect(m.shift()?.[0]).toBe(i - 1000);
    }
    expect(m.size).toBe(1000);
  });

  it('holds no memory for entries long deleted: its iterator does not pin old tables', () => {
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    // 10,000 entries open; each change deletes the oldest by `delete` (as closing actions do) and
    // adds one. One shift first parks the iterator; then the map compacts many times.
    const m = new OrderedMap<number, number[]>();
    const payload = (i: number): number[] => new Array<number>(100).fill(i);
    let next = 0;
    let oldest = 0;
    for (; next < 10_000; next++) m.set(next, payload(next));
    m.shift();
    oldest++;
    gc();
    const base = process.memoryUsage().heapUsed;
    for (let i = 0; i < 200_000; i++) {
      m.delete(oldest++);
      m.set(next, payload(next));
      next++;
    }
    gc();
    // Pinned tables held ~23 MB per 50,000 changes here (about 90 MB); the live entries are ~8 MB.
    expect(process.memoryUsage().heapUsed - base).toBeLessThan(16 * 1024 ** 2);
    expect(m.size).toBe(10_000 - 1);
    expect(m.shift()?.[0]).toBe(oldest);
  });
});
