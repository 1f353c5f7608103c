/**
 * A bounded memory of recent spans by (trace id, span id), each with a small value (1–255), kept in
 * typed arrays: the seen-set that drops re-delivered spans, and the leaf resolver's memories.
 *
 * The key is stored whole — the 24 bytes of both ids — and compared in full, so a lookup never
 * mistakes one span for another. A Map keyed by the 48-character id string did the same job at
 * several times the cost per span: a key string built and hashed per lookup, a table of up to a
 * million strings the garbage collector walked on every full collection, ~100 bytes per key.
 * Here a key is 26 bytes in arrays the collector never looks into.
 *
 * Two generations of at most half the capacity each, as recent-map.ts: when the current one is
 * full, the older one is cleared whole and becomes the current. It holds between half the capacity
 * and the capacity; the most recent half is always remembered. Each generation is an open-addressed
 * table at most half full (linear probing, no deletions). The hash is seeded per process, so
 * crafted ids cannot pile up in one run of slots.
 *
 * Ids must be lowercase hex of their length (32 and 16 characters), as validate-span.ts leaves
 * them.
 *
 * @module
 */

import { randomBytes } from 'node:crypto';

export interface SpanKeyTable {
  /** The value stored for the span, or 0 when it is not remembered. */
  get(traceId: string, spanId: string): number;
  /** Stores `value` (1–255) for the span. */
  set(traceId: string, spanId: string, value: number): void;
  /** Stores `value` for the span and returns what was stored before (0: nothing), in one lookup. */
  swap(traceId: string, spanId: string, value: number): number;
  /** Adds the bits of `value` to the span's (storing it if new); returns what was stored before. */
  or(traceId: string, spanId: string, value: number): number;
  size(): number;
}

const WORDS = 6; // 4 for the trace id, 2 for the span id

interface Generation {
  keys: Int32Array;
  /**
   * Per slot: the key's 8-bit tag (hash bits the slot number does not use) above its value; 0 is
   * an empty slot. A probe compares the tag first and reads the key's 24 bytes only when it
   * matches: most lookups are misses (a new span, a parent that is no model call), and each
   * occupied slot probed on the way cost a read from the 24 MB key array.
   */
  values: Uint16Array;
  count: number;
}

const SEED = randomBytes(4).readInt32LE(0);

/** Hex digit values by character code; only lowercase hex reaches here. */
const NIBBLE = new Int8Array(128);
for (let i = 0; i < 10; i++) NIBBLE[48 + i] = i;
for (let i = 0; i < 6; i++) NIBBLE[97 + i] = 10 + i;

function checkValue(value: number): void {
  if (value < 1 || value > 255 || !Number.isInteger(value))
    throw new RangeError(`span key value ${value} is not an integer from 1 to 255`);
}

function hexWord(s: string, at: number): number {
  let v = 0;
  for (let i = at; i < at + 8; i++) v = (v << 4) | (NIBBLE[s.charCodeAt(i) & 127] as number);
  return v;
}

export function createSpanKeyTable(capacity: number): SpanKeyTable {
  const half = Math.max(1, Math.ceil(capacity / 2));
  // At most half full: the smallest power of two of at least twice a generation's entries.
  let slots = 2;
  while (slots < half * 2) slots *= 2;
  const mask = slots - 1;
  const generation = (): Generation => ({
    keys: new Int32Array(slots * WORDS),
    values: new Uint16Array(slots),
    count: 0,
  });
  let current = generation();
  let older: Generation | undefined;
  // The key being looked up, and its hash.
  const key = new Int32Array(WORDS);
  let hash = 0;
  /** The loaded key's tag, in place (bits 8-15) to compare with a slot's entry. */
  let tag = 0;
  // Spans of one trace come together, and a lookup is often followed by a write of the same span:
  // the last ids' words (and hash) are reused.
  let lastTrace = '';
  let lastSpan = '';

  const load = (traceId: string, spanId: string): void => {
    if (traceId === lastTrace) {
      if (spanId === lastSpan) return;
    } else {
      for (let w = 0; w < 4; w++) key[w] = hexWord(traceId, w * 8);
      lastTrace = traceId;
    }
    lastSpan = spanId;
    key[4] = hexWord(spanId, 0);
    key[5] = hexWord(spanId, 8);
    let h = SEED;
    for (let w = 0; w < WORDS; w++) {
      h = Math.imul(h ^ (key[w] as number), 0x9e3779b1);
      h ^= h >>> 15;
    }
    h = Math.imul(h ^ (h >>> 13), 0x85ebca6b);
    hash = h ^ (h >>> 16);
    tag = (hash >>> 16) & 0xff00;
  };

  /** The slot holding the loaded key in `g`, or the empty slot where it would go (as ~slot). */
  const find = (g: Generation): number => {
    const { keys, values } = g;
    for (let slot = hash & mask; ; slot = (slot + 1) & mask) {
      const entry = values[slot] as number;
      if (entry === 0) return ~slot;
      if ((entry & 0xff00) !== tag) continue;
      const at = slot * WORDS;
      if (
        keys[at] === key[0] &&
        keys[at + 1] === key[1] &&
        keys[at + 2] === key[2] &&
        keys[at + 3] === key[3] &&
        keys[at + 4] === key[4] &&
        keys[at + 5] === key[5]
      )
        return slot;
    }
  };

  /**
   * Writes the loaded key into the current generation's empty `slot` (a key of the older generation
   * is written to the current one, which is read first); a full generation turns over.
   */
  const insert = (slot: number, value: number): void => {
    current.keys.set(key, slot * WORDS);
    current.values[slot] = tag | value;
    if (++current.count >= half) {
      const reuse = older;
      older = current;
      if (reuse) {
        reuse.keys.fill(0);
        reuse.values.fill(0);
        reuse.count = 0;
        current = reuse;
      } else current = generation();
    }
  };

  /** Stores `value` (or-ed into the old one when `keep`) for the loaded key; returns the old one. */
  const exchange = (value: number, keep: boolean): number => {
    const slot = find(current);
    if (slot >= 0) {
      const was = (current.values[slot] as number) & 0xff;
      current.values[slot] = tag | (keep ? was | value : value);
      return was;
    }
    let was = 0;
    if (older) {
      const old = find(older);
      if (old >= 0) was = (older.values[old] as number) & 0xff;
    }
    insert(~slot, keep ? was | value : value);
    return was;
  };

  return {
    get(traceId, spanId) {
      load(traceId, spanId);
      const slot = find(current);
      if (slot >= 0) return (current.values[slot] as number) & 0xff;
      if (!older) return 0;
      const old = find(older);
      return old >= 0 ? (older.values[old] as number) & 0xff : 0;
    },
    set(traceId, spanId, value) {
      checkValue(value);
      load(traceId, spanId);
      const slot = find(current);
      if (slot >= 0) current.values[slot] = tag | value;
      else insert(~slot, value);
    },
    swap(traceId, spanId, value) {
      checkValue(value);
      load(traceId, spanId);
      return exchange(value, false);
    },
    or(traceId, spanId, value) {
      checkValue(value);
      load(traceId, spanId);
      return exchange(value, true);
    },
    size: () => current.count + (older?.count ?? 0),
  };
}
