/**
 * The outage spool: a bounded, append-only, fsynced, checksummed log of accepted OTLP requests in
 * `COSTLINE_SPOOL_DIR`. A request is acknowledged once its record is on disk (ARCHITECTURE.md,
 * Durability); the record is released when every span of it is inserted into ClickHouse, and a
 * segment file is deleted once all its records are released. After a crash, `replay()` hands the
 * records still held back in order; deduplication by (trace_id, span_id) makes a replay of something
 * already stored harmless.
 *
 * Appends made while a write is in flight are written and fsynced together (group commit), so one
 * fsync covers many requests under load.
 *
 * @module
 */

import { mkdirSync, readdirSync } from 'node:fs';
import { open, readFile, unlink } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { decodeRecord, encodeRecord, MAX_PAYLOAD_BYTES } from './record-codec.ts';
import type { SpoolRecord } from './record-codec.ts';

export interface SpoolOptions {
  dir: string;
  /** Bytes of unreleased records on disk past which appends are refused. @default 1 GiB */
  maxBytes?: number;
  /**
   * A new segment file is started past this size. Released records stay on disk until their segment
   * is deleted and are replayed (harmlessly, deduplicated) after a crash, so this bounds that replay.
   * @default 16 MiB
   */
  segmentBytes?: number;
  log?: (msg: string) => void;
  /** @default Date.now */
  now?: () => number;
}

export interface SpoolStats {
  /** Bytes of the segment files on disk. */
  bytes: number;
  maxBytes: number;
  /** Records appended or recovered and not yet released. */
  pendingRecords: number;
  /** Age of the oldest pending record, 0 when none. */
  oldestAgeMs: number;
  segments: number;
  /** Records recovered at open and not yet handed back by `replay()`. */
  replayRemaining: number;
  replayed: number;
  /** Torn or damaged records skipped at open. */
  skippedRecords: number;
}

export interface Spool {
  /** Appends `payload`; resolves with its sequence number once it is fsynced. */
  append(payload: Buffer): Promise<number>;
  /** Every span of record `seq` is stored: it need not be kept any more. */
  release(seq: number): void;
  /** Hands each record recovered at open to `handle`, in order, awaiting each. */
  replay(handle: (record: SpoolRecord) => Promise<void> | void): Promise<number>;
  stats(): SpoolStats;
  close(): Promise<void>;
}

export class SpoolFullError extends Error {
  readonly code = 'SPOOL_FULL';
}

interface Segment {
  file: string;
  bytes: number;
  unreleased: number;
  /** Records recovered at open, kept to replay (dropped once replayed). */
  recovered: number[];
}

const SEGMENT_RE = /^segment-(\d{16})\.spool$/;

export async function openSpool(options: SpoolOptions): Promise<Spool> {
  const maxBytes = options.maxBytes ?? 1024 ** 3;
  const segmentBytes = options.segmentBytes ?? 16 * 1024 ** 2;
  const log = options.log ?? (() => {});
  const now = options.now ?? Date.now;
  mkdirSync(options.dir, { recursive: true });

  const segments: Segment[] = [];
  /** Pending records: seq → (segment, append time). Map order is append order. */
  const pending = new Map<number, { segment: Segment; timeMs: number }>();
  let nextSeq = 1;
  let skipped = 0;
  let replayed = 0;
  let replayRemaining = 0;

  for (const name of readdirSync(options.dir)
    .filter((f) => SEGMENT_RE.test(f))
    .sort()) {
    const file = join(options.dir, name);
    const buf = await readFile(file);
    const segment: Segment = { file, bytes: buf.length, unreleased: 0, recovered: [] };
    for (const record of scan(buf, file, (reason) => {
      skipped++;
      log(`spool: skipped a record in ${name}: ${reason}`);
    })) {
      if (pending.has(record.seq)) continue;
      pending.set(record.seq, { segment, timeMs: record.timeMs });
      segment.unreleased++;
      segment.recovered.push(record.seq);
      nextSeq = Math.max(nextSeq, record.seq + 1);
    }
    replayRemaining += segment.recovered.length;
    if (segment.unreleased === 0) await unlink(file);
    else segments.push(segment);
  }

  let active: { segment: Segment; handle: FileHandle } | undefined;
  let queue: { buf: Buffer; seq: number; resolve: (seq: number) => void; reject: (e: unknown) => void }[] =
    [];
  let writing: Promise<void> | undefined;
  let closed = false;
  const bytesOnDisk = (): number => segments.reduce((n, s) => n + s.bytes, 0);
  let queuedBytes = 0;

  const startSegment = async (firstSeq: number): Promise<void> => {
    if (active) {
      await active.handle.close();
      const done = active.segment;
      active = undefined;
      if (done.unreleased === 0) await removeSegment(done);
    }
    const file = join(options.dir, `segment-${String(firstSeq).padStart(16, '0')}.spool`);
    const handle = await open(file, 'a');
    const segment: Segment = { file, bytes: 0, unreleased: 0, recovered: [] };
    segments.push(segment);
    active = { segment, handle };
    await syncDir(options.dir);
  };

  const removeSegment = async (segment: Segment): Promise<void> => {
    const i = segments.indexOf(segment);
    if (i >= 0) segments.splice(i, 1);
    try {
      await unlink(segment.file);
    } catch (e) {
      log(`spool: could not delete ${segment.file}: ${(e as Error).message}`);
    }
  };

  const pump = async (): Promise<void> => {
    while (queue.length > 0) {
      const batch = queue;
      queue = [];
      try {
        const first = batch[0];
        if (first && (!active || active.segment.bytes >= segmentBytes)) await startSegment(first.seq);
        const target = active;
        if (!target) throw new Error('spool: no active segment');
        const bytes = Buffer.concat(batch.map((b) => b.buf));
        await target.handle.write(bytes);
        await target.handle.datasync();
        target.segment.bytes += bytes.length;
        const t = now();
        for (const b of batch) {
          pending.set(b.seq, { segment: target.segment, timeMs: t });
          target.segment.unreleased++;
        }
        for (const b of batch) b.resolve(b.seq);
      } catch (e) {
        for (const b of batch) b.reject(e);
      } finally {
        for (const b of batch) queuedBytes -= b.buf.length;
      }
    }
    writing = undefined;
  };

  return {
    append(payload) {
      if (closed) return Promise.reject(new Error('spool: closed'));
      if (payload.length > MAX_PAYLOAD_BYTES) {
        return Promise.reject(new SpoolFullError(`spool: a record of ${payload.length} bytes is too large`));
      }
      const seq = nextSeq++;
      const buf = encodeRecord({ seq, timeMs: now(), payload });
      if (bytesOnDisk() + queuedBytes + buf.length > maxBytes) {
        return Promise.reject(
          new SpoolFullError(`spool: full (${bytesOnDisk() + queuedBytes} of ${maxBytes} bytes held)`),
        );
      }
      queuedBytes += buf.length;
      return new Promise<number>((resolve, reject) => {
        queue.push({ buf, seq, resolve, reject });
        writing ??= pump();
      });
    },
    release(seq) {
      const entry = pending.get(seq);
      if (!entry) return;
      pending.delete(seq);
      entry.segment.unreleased--;
      if (entry.segment.unreleased === 0 && entry.segment !== active?.segment) {
        void removeSegment(entry.segment);
      }
    },
    async replay(handle) {
      let n = 0;
      for (const segment of [...segments]) {
        if (segment.recovered.length === 0) continue;
        const want = new Set(segment.recovered);
        segment.recovered = [];
        const buf = await readFile(segment.file);
        for (const record of scan(buf, segment.file, () => {})) {
          if (!want.delete(record.seq)) continue;
          replayRemaining--;
          await handle(record);
          replayed++;
          n++;
        }
      }
      return n;
    },
    stats() {
      const oldest = pending.values().next();
      return {
        bytes: bytesOnDisk(),
        maxBytes,
        pendingRecords: pending.size,
        oldestAgeMs: oldest.done ? 0 : Math.max(0, now() - oldest.value.timeMs),
        segments: segments.length,
        replayRemaining,
        replayed,
        skippedRecords: skipped,
      };
    },
    async close() {
      closed = true;
      await writing;
      if (active) {
        await active.handle.close();
        const done = active.segment;
        active = undefined;
        if (done.unreleased === 0) await removeSegment(done);
      }
    },
  };
}

/** The valid records of a segment file, in order; `skip` hears of each torn or damaged one. */
function* scan(buf: Buffer, file: string, skip: (reason: string) => void): Generator<SpoolRecord> {
  let at = 0;
  while (at < buf.length) {
    const r = decodeRecord(buf, at);
    if (r.kind === 'record') {
      yield r.record;
      at = r.next;
    } else if (r.kind === 'torn') {
      skip(`torn record at byte ${at} of ${file} (${r.reason})`);
      return;
    } else {
      skip(`damaged record at byte ${at} of ${file} (${r.reason})`);
      if (r.resumeAt === undefined) return;
      at = r.resumeAt;
    }
  }
}

async function syncDir(dir: string): Promise<void> {
  const h = await open(dir, 'r');
  try {
    await h.sync();
  } finally {
    await h.close();
  }
}
