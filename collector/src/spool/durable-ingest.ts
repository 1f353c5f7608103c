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

import type { Refusal } from '../app/traces-route.ts';
import { SpoolFullError } from './spool.ts';
import type { Spool, SpoolStats } from './spool.ts';

export type BodyKind = 'protobuf' | 'json';

export interface DurableIngestOptions {
  spool: Spool;
  /** Resolves once every row handed to the writer so far is stored. */
  flush: () => Promise<void>;
  /** Longer than any row can be held before it reaches the writer. */
  holdHorizonMs: number;
  log?: (msg: string) => void;
  now?: () => number;
}

export interface DurableIngest {
  /** Appends the decoded-valid body; resolves with its sequence number, or a refusal. */
  accept(kind: BodyKind, body: Buffer): Promise<number | Refusal>;
  /** The spans of record `seq` were ingested (handed to the pipeline). */
  ingested(seq: number): void;
  /** Feeds every record left by an earlier run to `ingest`, in order. */
  replay(ingest: (kind: BodyKind, body: Buffer) => void): Promise<number>;
  /** Releases the records that are safe to release now (call it periodically). */
  tick(): void;
  /** After the final flush on shutdown: everything is stored. */
  releaseAll(): void;
  stats(): SpoolStats;
  close(): Promise<void>;
}

const KIND_BYTE = { protobuf: 0x50, json: 0x4a } as const; // 'P', 'J'

export function createDurableIngest(options: DurableIngestOptions): DurableIngest {
  const { spool } = options;
  const now = options.now ?? Date.now;
  /** Ingested records not yet released, oldest first. */
  const queue: { seq: number; at: number }[] = [];
  let releasing = false;

  return {
    async accept(kind, body) {
      try {
        return await spool.append(Buffer.concat([Buffer.of(KIND_BYTE[kind]), body]));
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
        const kind = record.payload[0] === KIND_BYTE.json ? 'json' : 'protobuf';
        try {
          ingest(kind, record.payload.subarray(1));
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
