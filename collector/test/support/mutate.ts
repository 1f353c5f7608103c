/**
 * Deterministic mutations of real OTLP payloads for the hostile-input test: byte-level for protobuf
 * (flips, splices, truncations, varint runs), structural for JSON (values replaced by values of the
 * wrong type, huge numbers and strings, deep nesting), and text-level for both.
 */

/** mulberry32: a small seeded PRNG, so a failing case can be reproduced from its index. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Rand = () => number;
const int = (r: Rand, n: number): number => Math.floor(r() * n);

export function mutateBytes(seed: Buffer, other: Buffer, r: Rand): Buffer {
  const b = Buffer.from(seed);
  const at = int(r, Math.max(1, b.length));
  switch (int(r, 8)) {
    case 0: // flip a few bits
      for (let i = 0, n = 1 + int(r, 8); i < n; i++) {
        const j = int(r, b.length);
        b.writeUInt8((b[j] ?? 0) ^ (1 << int(r, 8)), j);
      }
      return b;
    case 1: // truncate
      return b.subarray(0, at);
    case 2: // delete a range
      return Buffer.concat([b.subarray(0, at), b.subarray(at + 1 + int(r, 64))]);
    case 3: // duplicate a range
      return Buffer.concat([b.subarray(0, at + 1), b.subarray(at, at + 1 + int(r, 256)), b.subarray(at + 1)]);
    case 4: // insert random bytes
      return Buffer.concat([
        b.subarray(0, at),
        Buffer.from(Array.from({ length: 1 + int(r, 32) }, () => int(r, 256))),
        b.subarray(at),
      ]);
    case 5: // an overlong varint (length or tag) run
      return Buffer.concat([b.subarray(0, at), Buffer.alloc(1 + int(r, 12), 0xff), b.subarray(at)]);
    case 6: // splice two payloads
      return Buffer.concat([b.subarray(0, at), other.subarray(int(r, Math.max(1, other.length)))]);
    default: // overwrite a byte with an interesting value
      b.writeUInt8([0x00, 0x7f, 0x80, 0xff, 0x0a, 0x12][int(r, 6)] ?? 0, at);
      return b;
  }
}

const WEIRD: (() => unknown)[] = [
  () => null,
  () => -1,
  () => 1e308,
  () => '18446744073709551616',
  () => '-9223372036854775809',
  () => 3.5,
  () => 'x'.repeat(100_000),
  () => '',
  () => true,
  () => [],
  () => ({}),
  () => [[[[[[]]]]]],
  () => ({ stringValue: 'chat' }),
  () => ({ intValue: 'not a number' }),
  () => ({ arrayValue: { values: [{ kvlistValue: { values: [{ key: 'k' }] } }] } }),
  () => 'zz'.repeat(16),
  () => '\u0000\ud800',
];

/** Replaces one node of the parsed JSON payload with a weird value, then re-serialises. */
export function mutateJson(text: string, r: Rand): string {
  const root = JSON.parse(text) as unknown;
  const nodes: { parent: Record<string, unknown> | unknown[]; key: string | number }[] = [];
  const walk = (v: unknown): void => {
    if (Array.isArray(v)) {
      v.forEach((x, i) => {
        nodes.push({ parent: v, key: i });
        walk(x);
      });
    } else if (v && typeof v === 'object') {
      for (const [k, x] of Object.entries(v)) {
        nodes.push({ parent: v as Record<string, unknown>, key: k });
        walk(x);
      }
    }
  };
  walk(root);
  const target = nodes[int(r, nodes.length)];
  if (target) {
    const value = (WEIRD[int(r, WEIRD.length)] ?? (() => null))();
    if (int(r, 10) === 0) {
      if (Array.isArray(target.parent)) target.parent.splice(Number(target.key), 1);
      else delete target.parent[target.key as string];
    } else if (Array.isArray(target.parent)) target.parent[Number(target.key)] = value;
    else target.parent[target.key as string] = value;
  }
  return JSON.stringify(root);
}

/** Text-level damage to JSON: a character removed, inserted or replaced. */
export function mutateJsonText(text: string, r: Rand): string {
  const at = int(r, Math.max(1, text.length));
  const ch = '{}[]",:0-e\\ \u0000'[int(r, 13)] ?? '';
  switch (int(r, 3)) {
    case 0:
      return text.slice(0, at) + text.slice(at + 1);
    case 1:
      return text.slice(0, at) + ch + text.slice(at);
    default:
      return text.slice(0, at) + ch + text.slice(at + 1);
  }
}

/** `[[[…]]]` nested `depth` deep inside an otherwise plausible export. */
export function deeplyNested(depth: number): string {
  return `{"resourceSpans":${'['.repeat(depth)}${']'.repeat(depth)}}`;
}
