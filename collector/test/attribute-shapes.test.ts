/**
 * Attribute maps built through a shape (a compiled object literal of a recurring key list) are the
 * maps assignment would build: same keys in the same order, the same values, the last of repeated
 * keys winning, `__proto__` an own property — whichever path built them, for every list.
 */

import { describe, expect, it } from 'vitest';
import { AttributeBuilder, setAttribute } from '../src/otlp/attribute-shapes.ts';
import type { AttrMap, AttrValue } from '../src/otlp/span.ts';
import { prng } from './support/mutate.ts';

function byAssignment(pairs: [string, AttrValue][]): AttrMap {
  const out: AttrMap = {};
  for (const [k, v] of pairs) setAttribute(out, k, v);
  return out;
}

function built(b: AttributeBuilder, pairs: [string, AttrValue][]): AttrMap {
  for (const [k, v] of pairs) b.add(k, v);
  return b.build();
}

const same = (a: AttrMap, b: AttrMap): void => {
  expect(Object.keys(a)).toEqual(Object.keys(b));
  expect(a).toEqual(b);
  expect(Object.getPrototypeOf(a)).toBe(Object.prototype);
};

describe('attribute builder', () => {
  it('builds the map assignment builds, the first time and every time after (a compiled shape)', () => {
    const b = new AttributeBuilder();
    const pairs: [string, AttrValue][] = [
      ['gen_ai.operation.name', 'chat'],
      ['gen_ai.usage.input_tokens', 1200],
      ['costline.tool_calls.web_search', 2n],
      ['weird "key"\\ with\nnewline', true],
      ['\u2028line separator', null],
      ['10', 'integer-like key'],
      ['2', [1, 'two']],
      ['nested', { a: 1 }],
    ];
    for (let i = 0; i < 40; i++) {
      const values = pairs.map(([k, v]) => [k, typeof v === 'number' ? v + i : v] as [string, AttrValue]);
      same(built(b, values), byAssignment(values));
    }
  });

  it('keeps a __proto__ key as an own property and the prototype as it is', () => {
    const b = new AttributeBuilder();
    const pairs: [string, AttrValue][] = [
      ['__proto__', { polluted: true }],
      ['a', 1],
    ];
    for (let i = 0; i < 20; i++) {
      const m = built(b, pairs);
      same(m, byAssignment(pairs));
      expect(Object.getOwnPropertyDescriptor(m, '__proto__')?.value).toEqual({ polluted: true });
      expect((m as { polluted?: unknown }).polluted).toBeUndefined();
    }
    expect(({} as { polluted?: unknown }).polluted).toBeUndefined();
  });

  it('lets the last of repeated keys win, in the first one’s place', () => {
    const b = new AttributeBuilder();
    const pairs: [string, AttrValue][] = [
      ['a', 1],
      ['b', 2],
      ['a', 3],
    ];
    for (let i = 0; i < 20; i++) {
      const m = built(b, pairs);
      expect(Object.entries(m)).toEqual([
        ['a', 3],
        ['b', 2],
      ]);
    }
  });

  it('builds thousands of random key lists (colliding slots, long keys, many keys) as assignment does', () => {
    const r = prng(7);
    const b = new AttributeBuilder();
    const vocabulary = Array.from({ length: 300 }, (_, i) =>
      i % 50 === 0 ? 'k'.repeat(200 + i) : i % 37 === 0 ? '__proto__' : `key.${i}.${'x'.repeat(i % 7)}`,
    );
    // A few lists recur (they get shapes), the rest are new each time (they fight for slots).
    const recurring = Array.from({ length: 8 }, () =>
      Array.from({ length: 1 + Math.floor(r() * 40) }, () => vocabulary[Math.floor(r() * 300)] as string),
    );
    for (let i = 0; i < 5000; i++) {
      const keys =
        r() < 0.6
          ? (recurring[Math.floor(r() * recurring.length)] as string[])
          : Array.from(
              { length: r() < 0.05 ? 200 : 1 + Math.floor(r() * 30) },
              () => vocabulary[Math.floor(r() * 300)] as string,
            );
      const pairs = keys.map((k, j) => [k, `${i}-${j}`] as [string, AttrValue]);
      same(built(b, pairs), byAssignment(pairs));
    }
  });

  it('forgets a half-built map on reset, and holds no values once built', () => {
    const b = new AttributeBuilder();
    b.add('left', 'over');
    b.reset();
    b.add('a', 1);
    expect(b.build()).toEqual({ a: 1 });
    expect(b.build()).toEqual({});
    const big = 'n'.repeat(1 << 20);
    b.add('note', big);
    b.build();
    expect((b as unknown as { values: AttrValue[] }).values).not.toContain(big);
  });
});
