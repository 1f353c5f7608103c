import { describe, expect, it } from 'vitest';
import { createRecentMap } from '../src/recent-map.ts';
import { createSeenSet } from '../src/seen-set.ts';

describe('recent keys memory', () => {
  it('always remembers the newest half of its capacity and never holds more than the capacity', () => {
    const m = createRecentMap<number>(10);
    for (let i = 0; i < 1000; i++) {
      m.set(`k${i}`, i);
      expect(m.size()).toBeLessThanOrEqual(10);
      for (let j = Math.max(0, i - 4); j <= i; j++) expect(m.get(`k${j}`)).toBe(j);
    }
    expect(m.has('k0')).toBe(false);
  });

  it('an update is read back, also for a key of the older half', () => {
    const m = createRecentMap<string>(4);
    m.set('a', 'held');
    m.set('b', 'held'); // the current half is full: a and b become the older half
    m.set('a', 'emitted');
    expect(m.get('a')).toBe('emitted');
    expect(m.get('b')).toBe('held');
  });

  it('the seen-set drops a key seen within its window and takes it again once forgotten', () => {
    const seen = createSeenSet(4);
    expect(seen.add('x')).toBe(true);
    expect(seen.add('x')).toBe(false);
    for (let i = 0; i < 10; i++) seen.add(`y${i}`);
    expect(seen.add('x')).toBe(true);
  });
});
