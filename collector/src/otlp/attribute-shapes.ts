/**
 * Builds a span's attribute map so that the rest of the collector reads it fast.
 *
 * Built by assignment (`o[key] = value`, the key not known to the code), an object of more than
 * 16 properties is turned by V8 into a dictionary: every later read (`attrs['gen_ai.usage.…']`,
 * dozens per span in recognising, pricing and assembling) is a hash lookup, and `for…in` sorts its
 * keys each time. A span's attributes have a handful of key lists that repeat (one per kind of span
 * and producer), so each list that recurs gets a function returning an object literal of its keys
 * — `{"gen_ai.operation.name": v[0], …}` — whose objects share one fast layout: reads are 8× as fast
 * (0.57 against 0.07 µs for eight reads and a `for…in` per span of the bench's load), building costs
 * what assignment did, and decode + pipeline took 9.2 against 10.7 µs/span (best of ten alternating
 * runs each; their medians were within this machine's noise).
 *
 * The functions are cached by a hash of the key list (1,024 slots; a slot is taken over by another
 * list after 16 misses), compiled from the keys only (JSON-quoted, so any string is a string
 * literal; never a value). Lists with a repeated key, a `__proto__`, more than 128 keys or a key
 * longer than 128 characters are built by assignment. Either way the result is the same map: keys
 * in order, the last of repeated keys wins, `__proto__` an own property like any other.
 *
 * A builder is not reentrant: one map at a time (nested maps are built with {@link setAttribute}).
 *
 * @module
 */

import type { AttrMap, AttrValue } from './span.ts';

const SLOTS = 1024;
const MAX_KEYS = 128;
const MAX_KEY_LENGTH = 128;
/** Misses after which a slot's list is replaced by the one missing. */
const MAX_MISSES = 16;

interface Shape {
  keys: string[];
  /** undefined: this list is built by assignment. */
  make: ((values: AttrValue[]) => AttrMap) | undefined;
  misses: number;
}

const SHAPES: (Shape | undefined)[] = new Array<Shape | undefined>(SLOTS).fill(undefined);

/** Sets `key` as an own property, also when it is `__proto__` (assignment would set the prototype). */
export function setAttribute(into: AttrMap, key: string, value: AttrValue): void {
  if (key === '__proto__')
    Object.defineProperty(into, key, { value, enumerable: true, writable: true, configurable: true });
  else into[key] = value;
}

export class AttributeBuilder {
  private readonly keys: string[] = [];
  private readonly values: AttrValue[] = [];
  private n = 0;

  add(key: string, value: AttrValue): void {
    this.keys[this.n] = key;
    this.values[this.n] = value;
    this.n++;
  }

  /** Forgets what was added since the last build (a map left half-read by a decoding error). */
  reset(): void {
    this.values.fill(null, 0, this.n);
    this.n = 0;
  }

  /** The map of the keys and values added since the last build or reset. */
  build(): AttrMap {
    const n = this.n;
    this.n = 0;
    if (n === 0) return {};
    const { keys, values } = this;
    const slot = slotOf(keys, n);
    let shape = SHAPES[slot];
    let out: AttrMap | undefined;
    if (shape !== undefined && sameKeys(shape.keys, keys, n)) {
      shape.misses = 0;
      if (shape.make !== undefined) out = shape.make(values);
    } else if (shape === undefined || ++shape.misses > MAX_MISSES) {
      shape = compile(keys.slice(0, n));
      SHAPES[slot] = shape;
      if (shape.make !== undefined) out = shape.make(values);
    }
    if (out === undefined) {
      out = {};
      for (let i = 0; i < n; i++) setAttribute(out, keys[i] as string, values[i] as AttrValue);
    }
    // The values are the map's now: the builder keeps no reference to them (a huge string, say).
    values.fill(null, 0, n);
    return out;
  }
}

function slotOf(keys: string[], n: number): number {
  const first = keys[0] as string;
  const last = keys[n - 1] as string;
  let h = Math.imul(n, 0x9e3779b1) ^ first.length;
  h = Math.imul(h, 0x01000193) ^ last.length;
  h = Math.imul(h, 0x01000193) ^ first.charCodeAt(first.length - 1);
  h = Math.imul(h, 0x01000193) ^ last.charCodeAt(last.length - 1);
  h = Math.imul(h, 0x01000193) ^ (keys[n >> 1] as string).length;
  return (h ^ (h >>> 16)) & (SLOTS - 1);
}

function sameKeys(known: string[], keys: string[], n: number): boolean {
  if (known.length !== n) return false;
  for (let i = 0; i < n; i++) if (known[i] !== keys[i]) return false;
  return true;
}

function compile(keys: string[]): Shape {
  const cacheable =
    keys.length <= MAX_KEYS &&
    new Set(keys).size === keys.length &&
    keys.every((k) => k !== '__proto__' && k.length <= MAX_KEY_LENGTH);
  if (!cacheable) return { keys, make: undefined, misses: 0 };
  const fields = keys.map((k, i) => `${JSON.stringify(k)}: v[${i}]`).join(', ');
  // eslint-disable-next-line @typescript-eslint/no-implied-eval
  const make = new Function('v', `return {${fields}};`) as (values: AttrValue[]) => AttrMap;
  return { keys, make, misses: 0 };
}
