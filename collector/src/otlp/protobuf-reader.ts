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
    // Most OTLP strings (attribute keys, model names, ids) are short ASCII: reading those here is
    // several times cheaper than a call into the native UTF-8 decoder.
    if (e - s <= SHORT_STRING) {
      const buf = this.buf;
      let ascii = true;
      for (let i = s; i < e; i++) {
        if ((buf[i] as number) >= 0x80) {
          ascii = false;
          break;
        }
      }
      if (ascii) return buf.toString('latin1', s, e);
    }
    return this.buf.toString('utf8', s, e);
  }

  hex(): string {
    const s = this.payload();
    return this.buf.toString('hex', s, this.pos);
  }

  skip(wireType: number): void {
    switch (wireType) {
      case WIRE.varint:
        this.int64();
        return;
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
