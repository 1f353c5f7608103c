/**
 * The durability rule (ARCHITECTURE.md Contracts) on top of the spool: a request's body is appended
 * and fsynced before the request is acknowledged; its record is released only once everything it
 * can have produced is in ClickHouse.
 *
 * Rows of one request do not reach the store together: calls wait in the assembler for their
 * action (at most the action wait), wrappers in the leaf resolver (at most the leaf wait), and rows
 * in the writer's batch. Rather than tracking every row back to its request, a record is released
 * once `holdHorizonMs` (longer than anything is held) has passed since its spans were ingested AND
 * a writer flush started after that has completed: by then every row it produced was handed to the
 * writer, and the flush stored it. After a crash the records still in the spool are replayed;
 * deduplication by (trace_id, span_id) drops what was already stored.
 *
 * @module
 */

import { gunzipSync, inflateSync } from 'node:zlib';
import type { Refusal } from '../app/traces-route.ts';
import { SpoolFullError } from './spool.ts';
import type { Spool, SpoolStats } from './spool.ts';

export type BodyKind = 'protobuf' | 'json';
/** The request's `Content-Encoding`, as the traces route accepts them. */
export type BodyEncoding = 'identity' | 'gzip' | 'deflate';

export interface DurableIngestOptions {
  spool: Spool;
  /** Resolves once every row handed to the writer so far is stored. */
  flush: () => Promise<void>;
  /** Longer than any row can be held before it reaches the writer. */
  holdHorizonMs: number;
  /** Largest body a record may decompress to on replay (the traces route's bound). @default 32 MiB */
  maxBodyBytes?: number;
  log?: (msg: string) => void;
  now?: () => number;
}

export interface DurableIngest {
  /**
   * Appends a request whose body decoded, as it was received (still compressed: a quarter of the
   * bytes to copy, checksum, write and fsync, and four times the outage the spool's bound covers);
   * resolves with its sequence number, or a refusal.
   */
  accept(kind: BodyKind, encoding: BodyEncoding, received: Buffer): Promise<number | Refusal>;
  /** The spans of record `seq` were ingested (handed to the pipeline). */
  ingested(seq: number): void;
  /** Feeds every record left by an earlier run to `ingest`, in order, decompressed. */
  replay(ingest: (kind: BodyKind, body: Buffer) => void): Promise<number>;
  /** Releases the records that are safe to release now (call it periodically). */
  tick(): void;
  /** After the final flush on shutdown: everything is stored. */
  releaseAll(): void;
  stats(): SpoolStats;
  close(): Promise<void>;
}

/**
 * A record's payload: `p` or `j` (protobuf, JSON), the encoding's byte, then the body as received.
 * Records of earlier versions hold `P` or `J` and the decompressed body: they replay as identity.
 */
const KIND_BYTE = { protobuf: 0x70, json: 0x6a } as const; // 'p', 'j'
const LEGACY_KIND_BYTE = { protobuf: 0x50, json: 0x4a } as const; // 'P', 'J'
const ENCODING_BYTE = { identity: 0, gzip: 1, deflate: 2 } as const;

function decodePayload(payload: Buffer, maxBodyBytes: number): { kind: BodyKind; body: Buffer } {
  const tag = payload[0];
  if (tag === LEGACY_KIND_BYTE.json || tag === LEGACY_KIND_BYTE.protobuf) {
    return { kind: tag === LEGACY_KIND_BYTE.json ? 'json' : 'protobuf', body: payload.subarray(1) };
  }
  if (tag !== KIND_BYTE.json && tag !== KIND_BYTE.protobuf) throw new Error(`unknown record kind ${tag}`);
  const kind = tag === KIND_BYTE.json ? 'json' : 'protobuf';
  const received = payload.subarray(2);
  const limit = { maxOutputLength: maxBodyBytes };
  switch (payload[1]) {
    case ENCODING_BYTE.identity:
      return { kind, body: received };
    case ENCODING_BYTE.gzip:
      return { kind, body: gunzipSync(received, limit) };
    case ENCODING_BYTE.deflate:
      return { kind, body: inflateSync(received, limit) };
    default:
      throw new Error(`unknown record encoding ${payload[1]}`);
  }
}

export function createDurableIngest(options: DurableIngestOptions): DurableIngest {
  const { spool } = options;
  const maxBodyBytes = options.maxBodyBytes ?? 32 * 1024 * 1024;
  const now = options.now ?? Date.now;
  /** Ingested records not yet released, oldest first. */
  const queue: { seq: number; at: number }[] = [];
  let releasing = false;

  return {
    async accept(kind, encoding, received) {
      try {
        return await spool.append(
          Buffer.concat([Buffer.of(KIND_BYTE[kind], ENCODING_BYTE[encoding]), received]),
        );
      } catch (e) {
        if (e instanceof SpoolFullError) {
          return { status: 503, retryAfterSeconds: 10, reason: `outage spool full: ${e.message}` };
        }
        options.log?.(`spool: append failed: ${(e as Error).message}`);
        return { status: 503, retryAfterSeconds: 5, reason: 'the outage spool could not write the request' };
      }
    },
    ingested(seq) {
      queue.push({ seq, at: now() });
    },
    async replay(ingest) {
      return spool.replay((record) => {
        try {
          const { kind, body } = decodePayload(record.payload, maxBodyBytes);
          ingest(kind, body);
        } catch (e) {
          options.log?.(`spool: record ${record.seq} could not be replayed: ${(e as Error).message}`);
        }
        queue.push({ seq: record.seq, at: now() });
      });
    },
    tick() {
      if (releasing) return;
      const horizon = now() - options.holdHorizonMs;
      let n = 0;
      while (n < queue.length && (queue[n]?.at ?? Infinity) <= horizon) n++;
      if (n === 0) return;
      const due = queue.splice(0, n);
      releasing = true;
      options
        .flush()
        .then(() => {
          for (const r of due) spool.release(r.seq);
        })
        .catch((e: unknown) => {
          queue.unshift(...due);
          options.log?.(`spool: flush before release failed: ${(e as Error).message}`);
        })
        .finally(() => {
          releasing = false;
        });
    },
    releaseAll() {
      for (const r of queue.splice(0)) spool.release(r.seq);
    },
    stats: () => spool.stats(),
    close: () => spool.close(),
  };
}
