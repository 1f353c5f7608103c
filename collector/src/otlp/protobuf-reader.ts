/**
 * A minimal protobuf wire-format reader: just what decoding OTLP needs (varints, fixed64/32,
 * length-delimited fields), reading 64-bit values as bigint so nothing above 2^53 loses precision.
 *
 * @module
 */

export const WIRE = { varint: 0, fixed64: 1, lengthDelimited: 2, fixed32: 5 } as const;

export class ProtobufError extends Error {
  readonly code = 'PROTOBUF_MALFORMED';
}

/**
 * One reader walks a whole message: a nested message is read by narrowing it to the nested
 * message's bytes (`enter`) and widening it back (`leave`), not by a reader object per nested
 * message — OTLP nests two messages per attribute, so that was several allocations per attribute.
 */
export class ProtobufReader {
  pos: number;
  /** Where the message being read ends. */
  end: number;
  readonly buf: Buffer;
  private readonly view: DataView;
  /** Where the last 16-byte id read starts (-1: none yet), and its hex. */
  private lastTraceId = -1;
  private lastTraceIdHex = '';

  constructor(buf: Uint8Array) {
    this.buf = Buffer.isBuffer(buf) ? buf : Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength);
    this.pos = 0;
    this.end = buf.length;
    this.view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  }

  /** Reads a length-delimited field and narrows the reader to it; returns what `leave` restores. */
  enter(): number {
    const start = this.payload();
    return this.narrow(start, this.pos);
  }

  /** Narrows the reader to `[start, end)` (a range taken by `bytesRange` earlier). */
  narrow(start: number, end: number): number {
    const outer = this.end;
    this.pos = start;
    this.end = end;
    return outer;
  }

  /** Back to the enclosing message, just past the nested one. */
  leave(outer: number): void {
    this.pos = this.end;
    this.end = outer;
  }

  done(): boolean {
    return this.pos >= this.end;
  }

  /** Reads a varint that fits in 32 bits unsigned (field tags, lengths, enums). */
  uint32(): number {
    let result = 0;
    let shift = 0;
    for (let i = 0; i < 10; i++) {
      if (this.pos >= this.end) throw new ProtobufError('truncated varint');
      const byte = this.buf[this.pos++] as number;
      if (shift < 32) result |= (byte & 0x7f) << shift;
      if ((byte & 0x80) === 0) return result >>> 0;
      shift += 7;
    }
    throw new ProtobufError('varint longer than 10 bytes');
  }

  /** Reads a varint as a signed 64-bit integer. */
  int64(): bigint {
    let result = 0n;
    let shift = 0n;
    for (let i = 0; i < 10; i++) {
      if (this.pos >= this.end) throw new ProtobufError('truncated varint');
      const byte = this.buf[this.pos++] as number;
      result |= BigInt(byte & 0x7f) << shift;
      if ((byte & 0x80) === 0) return BigInt.asIntN(64, result);
      shift += 7n;
    }
    throw new ProtobufError('varint longer than 10 bytes');
  }

  /**
   * Reads a varint as a signed 64-bit integer: a number when it is a safe integer, else a bigint.
   * Token counts and the like take at most 7 bytes (49 bits) and are read without a bigint.
   */
  int64Value(): number | bigint {
    const start = this.pos;
    let result = 0;
    let scale = 1;
    for (let i = 0; i < 7; i++) {
      if (this.pos >= this.end) throw new ProtobufError('truncated varint');
      const byte = this.buf[this.pos++] as number;
      result += (byte & 0x7f) * scale;
      if ((byte & 0x80) === 0) return result;
      scale *= 128;
    }
    this.pos = start;
    const big = this.int64();
    return big >= MIN_SAFE && big <= MAX_SAFE ? Number(big) : big;
  }

  fixed64(): bigint {
    if (this.pos + 8 > this.end) throw new ProtobufError('truncated fixed64');
    const v = this.view.getBigUint64(this.pos, true);
    this.pos += 8;
    return v;
  }

  double(): number {
    if (this.pos + 8 > this.end) throw new ProtobufError('truncated double');
    const v = this.view.getFloat64(this.pos, true);
    this.pos += 8;
    return v;
  }

  /** Returns [start, end) of a length-delimited field's payload and skips past it. */
  bytesRange(): [number, number] {
    const start = this.payload();
    return [start, this.pos];
  }

  /** Skips a length-delimited field's payload and returns where it starts (it ends at `pos`). */
  private payload(): number {
    const len = this.uint32();
    const start = this.pos;
    const end = start + len;
    if (end > this.end) throw new ProtobufError('length-delimited field runs past its message');
    this.pos = end;
    return start;
  }

  string(): string {
    const s = this.payload();
    const e = this.pos;
    // Most OTLP strings (attribute keys, model and provider names, surfaces) are short ASCII and
    // repeat from span to span: those come from the intern table when they were read before — no
    // call into the native decoder, no new string, and a property key V8 has already hashed. The
    // slot comes from the length and a few bytes; the full comparison decides.
    const n = e - s;
    if (n <= SHORT_STRING && n > 0) {
      const buf = this.buf;
      let hash = Math.imul(n, 0x01000193);
      hash = Math.imul(hash ^ (buf[s] as number), 0x01000193);
      hash = Math.imul(hash ^ (buf[s + (n >> 2)] as number), 0x01000193);
      hash = Math.imul(hash ^ (buf[s + (n >> 1)] as number), 0x01000193);
      hash = Math.imul(hash ^ (buf[e - 2 + (n === 1 ? 1 : 0)] as number), 0x01000193);
      hash = Math.imul(hash ^ (buf[e - 1] as number), 0x01000193);
      const slot = (hash ^ (hash >>> 15)) & INTERN_MASK;
      const known = INTERNED[slot];
      // An interned string is ASCII: equal bytes mean this string is ASCII too.
      if (known !== undefined && sameAscii(known, buf, s, e)) return known;
      for (let i = s; i < e; i++) if ((buf[i] as number) >= 0x80) return buf.toString('utf8', s, e);
      const str = buf.toString('latin1', s, e);
      INTERNED[slot] = str;
      return str;
    }
    return this.buf.toString('utf8', s, e);
  }

  hex(): string {
    const s = this.payload();
    const e = this.pos;
    // Spans of one trace come together: a trace id equal to the last one read is that string.
    if (e - s === TRACE_ID_BYTES) {
      const buf = this.buf;
      const last = this.lastTraceId;
      if (last >= 0) {
        let same = true;
        for (let i = 0; i < TRACE_ID_BYTES; i++) {
          if (buf[s + i] !== buf[last + i]) {
            same = false;
            break;
          }
        }
        if (same) return this.lastTraceIdHex;
      }
      this.lastTraceId = s;
      this.lastTraceIdHex = buf.toString('hex', s, e);
      return this.lastTraceIdHex;
    }
    return this.buf.toString('hex', s, e);
  }

  skip(wireType: number): void {
    switch (wireType) {
      case WIRE.varint:
        for (let i = 0; ; i++) {
          if (i === 10) throw new ProtobufError('varint longer than 10 bytes');
          if (this.pos >= this.end) throw new ProtobufError('truncated varint');
          if (((this.buf[this.pos++] as number) & 0x80) === 0) return;
        }
      case WIRE.fixed64:
        if (this.pos + 8 > this.end) throw new ProtobufError('truncated fixed64');
        this.pos += 8;
        return;
      case WIRE.lengthDelimited:
        this.bytesRange();
        return;
      case WIRE.fixed32:
        if (this.pos + 4 > this.end) throw new ProtobufError('truncated fixed32');
        this.pos += 4;
        return;
      default:
        throw new ProtobufError(`unsupported wire type ${wireType}`);
    }
  }
}

const SHORT_STRING = 64;
const MIN_SAFE = BigInt(Number.MIN_SAFE_INTEGER);
const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);
const TRACE_ID_BYTES = 16;

/**
 * Recently read short strings by a hash of their bytes: one string per slot, a newer one replaces
 * it. Bounded (4,096 strings of at most 64 characters) and shared by all readers: a string is
 * immutable, so handing the same one to any request is safe.
 */
const INTERN_MASK = 4095;
const INTERNED: (string | undefined)[] = new Array<string | undefined>(INTERN_MASK + 1).fill(undefined);

function sameAscii(str: string, buf: Buffer, s: number, e: number): boolean {
  if (str.length !== e - s) return false;
  for (let i = 0; i < str.length; i++) if (str.charCodeAt(i) !== buf[s + i]) return false;
  return true;
}
