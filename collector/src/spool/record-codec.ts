/**
 * The spool's record framing: a fixed header, then the payload. A record is only trusted when its
 * magic, its length and its checksum (CRC-32 over header fields and payload) all hold, so a record
 * torn by a crash mid-write — or any damaged byte — is detected instead of being replayed as data.
 *
 * ```
 * offset  size  field
 *      0     4  magic "CLS1"
 *      4     4  payload length (uint32 BE)
 *      8     8  sequence number (uint64 BE)
 *     16     8  append time, ms since epoch (uint64 BE)
 *     24     4  CRC-32 of bytes 4..24 and the payload (uint32 BE)
 *     28     n  payload
 * ```
 *
 * @module
 */

import { crc32 } from 'node:zlib';

export const RECORD_MAGIC = Buffer.from('CLS1', 'latin1');
export const HEADER_BYTES = 28;
/** Larger payloads are refused on append, and a header claiming more is damage, not data. */
export const MAX_PAYLOAD_BYTES = 256 * 1024 * 1024;

export interface SpoolRecord {
  seq: number;
  /** When it was appended (ms since epoch). */
  timeMs: number;
  payload: Buffer;
}

export function encodeRecord(record: SpoolRecord): Buffer {
  const out = Buffer.allocUnsafe(HEADER_BYTES + record.payload.length);
  RECORD_MAGIC.copy(out, 0);
  out.writeUInt32BE(record.payload.length, 4);
  out.writeBigUInt64BE(BigInt(record.seq), 8);
  out.writeBigUInt64BE(BigInt(record.timeMs), 16);
  out.writeUInt32BE(checksum(out, record.payload), 24);
  record.payload.copy(out, HEADER_BYTES);
  return out;
}

export type DecodeResult =
  | { kind: 'record'; record: SpoolRecord; next: number }
  /** The bytes end inside this record: the tail a crash left behind. */
  | { kind: 'torn'; reason: string }
  /** The bytes at `at` are not a valid record; `resumeAt` is the next place a magic appears, if any. */
  | { kind: 'damaged'; reason: string; resumeAt: number | undefined };

/** Decodes the record starting at `at` in `buf` (a whole segment file). */
export function decodeRecord(buf: Buffer, at: number): DecodeResult {
  if (buf.length - at < HEADER_BYTES) {
    return { kind: 'torn', reason: `${buf.length - at} bytes left, a header is ${HEADER_BYTES}` };
  }
  if (!buf.subarray(at, at + 4).equals(RECORD_MAGIC)) {
    return { kind: 'damaged', reason: 'no record magic', resumeAt: nextMagic(buf, at + 1) };
  }
  const length = buf.readUInt32BE(at + 4);
  if (length > MAX_PAYLOAD_BYTES) {
    return { kind: 'damaged', reason: `length ${length} is too large`, resumeAt: nextMagic(buf, at + 1) };
  }
  const end = at + HEADER_BYTES + length;
  if (end > buf.length) {
    // Either the tail of a crashed write, or a damaged length: a later magic tells them apart.
    const resumeAt = nextMagic(buf, at + 1);
    return resumeAt === undefined
      ? { kind: 'torn', reason: `payload of ${length} bytes cut at ${buf.length - at - HEADER_BYTES}` }
      : { kind: 'damaged', reason: `length ${length} runs past the data`, resumeAt };
  }
  const header = buf.subarray(at, at + HEADER_BYTES);
  const payload = buf.subarray(at + HEADER_BYTES, end);
  if (header.readUInt32BE(24) !== checksum(header, payload)) {
    return { kind: 'damaged', reason: 'checksum mismatch', resumeAt: nextMagic(buf, at + 1) };
  }
  const seq = Number(header.readBigUInt64BE(8));
  const timeMs = Number(header.readBigUInt64BE(16));
  return { kind: 'record', record: { seq, timeMs, payload: Buffer.from(payload) }, next: end };
}

function checksum(header: Buffer, payload: Buffer): number {
  return crc32(payload, crc32(header.subarray(4, 24)));
}

function nextMagic(buf: Buffer, from: number): number | undefined {
  const i = buf.indexOf(RECORD_MAGIC, from);
  return i < 0 ? undefined : i;
}
