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
});
