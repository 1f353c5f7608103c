import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createSeenSet } from '../src/seen-set.ts';
import { createSpanKeyTable } from '../src/span-key-table.ts';

const trace = (i: number): string => i.toString(16).padStart(32, '0');
const span = (i: number): string => (i + 1).toString(16).padStart(16, '0');

describe('span key table', () => {
  it('always remembers the newest half of its capacity and never holds more than the capacity', () => {
    const t = createSpanKeyTable(10);
    for (let i = 0; i < 1000; i++) {
      t.set(trace(i % 7), span(i), (i % 255) + 1);
      expect(t.size()).toBeLessThanOrEqual(10);
      for (let j = Math.max(0, i - 4); j <= i; j++) expect(t.get(trace(j % 7), span(j))).toBe((j % 255) + 1);
    }
    expect(t.get(trace(0), span(0))).toBe(0);
  });

  it('an update is read back, also for a key of the older half', () => {
    const t = createSpanKeyTable(4);
    t.set(trace(1), span(1), 1);
    t.set(trace(1), span(2), 1); // the current half is full: both become the older half
    t.set(trace(1), span(1), 2);
    expect(t.get(trace(1), span(1))).toBe(2);
    expect(t.get(trace(1), span(2))).toBe(1);
  });

  it('compares the whole key: ids that differ in any one hex digit are other spans', () => {
    const t = createSpanKeyTable(1000);
    const baseTrace = 'a'.repeat(32);
    const baseSpan = 'b'.repeat(16);
    t.set(baseTrace, baseSpan, 7);
    for (let i = 0; i < 32; i++) {
      const other = `${baseTrace.slice(0, i)}c${baseTrace.slice(i + 1)}`;
      expect(t.get(other, baseSpan)).toBe(0);
    }
    for (let i = 0; i < 16; i++) {
      const other = `${baseSpan.slice(0, i)}c${baseSpan.slice(i + 1)}`;
      expect(t.get(baseTrace, other)).toBe(0);
    }
    // The trace id and span id are two keys' parts, not one string: moving a digit across is
    // another key too.
    expect(t.get(`${'a'.repeat(31)}b`, `a${'b'.repeat(15)}`)).toBe(0);
    expect(t.get(baseTrace, baseSpan)).toBe(7);
  });

  it('agrees with a Map over random ids, across generations', () => {
    const capacity = 2000;
    const t = createSpanKeyTable(capacity);
    const recent: [string, string, number][] = [];
    for (let i = 0; i < 30_000; i++) {
      // Spans of one trace together (the table reuses the last trace id's words), some re-set.
      const tr =
        i % 3 === 0 || recent.length === 0 ? randomBytes(16).toString('hex') : (recent.at(-1)?.[0] ?? '');
      const sp =
        i % 10 === 9 && recent.length > 5 ? (recent.at(-5)?.[1] ?? '') : randomBytes(8).toString('hex');
      const tracePart = i % 10 === 9 && recent.length > 5 ? (recent.at(-5)?.[0] ?? '') : tr;
      const v = (i % 255) + 1;
      t.set(tracePart, sp, v);
      recent.push([tracePart, sp, v]);
      if (recent.length > capacity) recent.shift();
      if (i % 997 === 0) {
        // The newest half is remembered with its latest value; ids never set are not.
        const latest = new Map<string, number>();
        for (const [a, b, x] of recent.slice(-capacity / 2)) latest.set(a + b, x);
        for (const [k, x] of latest) expect(t.get(k.slice(0, 32), k.slice(32))).toBe(x);
        expect(t.get(randomBytes(16).toString('hex'), randomBytes(8).toString('hex'))).toBe(0);
      }
    }
  });

  it.each(['swap', 'or'] as const)(
    '%s returns what get would and stores what set would, across generations',
    (op) => {
      // Two tables of one capacity fed the same keys: one by the operation, one by get-then-set.
      const a = createSpanKeyTable(1000);
      const b = createSpanKeyTable(1000);
      const keys: [string, string][] = [];
      for (let i = 0; i < 20_000; i++) {
        const reuse = keys.length > 0 && i % 3 !== 0;
        // Often a key of several hundred writes ago: in the older generation, or forgotten.
        const k = reuse
          ? (keys[Math.max(0, keys.length - 1 - ((i * 7919) % 900))] as [string, string])
          : ([randomBytes(16).toString('hex'), randomBytes(8).toString('hex')] as [string, string]);
        if (!reuse) keys.push(k);
        const v = op === 'or' ? 1 << (i % 8) : (i % 255) + 1;
        const before = b.get(k[0], k[1]);
        b.set(k[0], k[1], op === 'or' ? before | v : v);
        expect(a[op](k[0], k[1], v)).toBe(before);
        expect(a.size()).toBe(b.size());
      }
      for (const [tr, sp] of keys.slice(-1000)) expect(a.get(tr, sp)).toBe(b.get(tr, sp));
      expect(() => a[op](trace(1), span(1), 0)).toThrow(RangeError);
    },
  );

  it('takes values 1 to 255 only', () => {
    const t = createSpanKeyTable(10);
    expect(() => t.set(trace(1), span(1), 0)).toThrow(RangeError);
    expect(() => t.set(trace(1), span(1), 256)).toThrow(RangeError);
  });

  it('the seen-set drops a span seen within its window and takes it again once forgotten', () => {
    const seen = createSeenSet(4);
    expect(seen.add(trace(1), span(1))).toBe(true);
    expect(seen.add(trace(1), span(1))).toBe(false);
    expect(seen.add(trace(2), span(1))).toBe(true);
    for (let i = 0; i < 10; i++) seen.add(trace(3), span(100 + i));
    expect(seen.add(trace(1), span(1))).toBe(true);
  });
});
