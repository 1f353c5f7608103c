/**
 * Batches rows and inserts them into ClickHouse: one insert per table per flush, every
 * `flushIntervalMs` or when `maxBatchRows` rows are waiting. The defaults (1 s, 20,000 rows) follow
 * ClickHouse's advice of about one insert a second of many thousand rows: every insert makes a part
 * per table and aggregate, and parts must be merged. At 250 ms and 5,000 rows the store spent half
 * again as much CPU per row under load (the store's and libuv's threads: 29 against 17 µs/row, of
 * which merges 8.5 against 3, in end-to-end runs side by side), CPU the ingest thread shares.
 * Inserts run one after another, in order, in TabSeparated (see tab-separated.ts: the fastest text
 * format for ClickHouse to parse, and cheaper than JSON to write). A failed insert is retried with
 * the same `insert_deduplication_token`, so an insert that reached the server but timed out on the
 * way back is stored once (and its materialized views aggregate it once). Corrections that read the
 * store first run in the same order, with the next flush (`enqueue`).
 *
 * On chDB per-query settings of the client become session-wide `SET`s: a token stays in force for
 * the next insert of the process. So EVERY insert into these tables must pass its own token
 * (`insertSettings`), or it may be dropped as a duplicate of the previous one. (The writer's own
 * inserts on chDB go through its native insert, whose settings are the statement's own.)
 *
 * @module
 */

import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import type { ClickHouseClient } from '@clickhouse/client';
import { nativeInsert } from './client.ts';
import { ACTION_COLUMNS, LLM_CALL_COLUMNS } from './rows.ts';
import type { ActionRow, LlmCallRow } from './rows.ts';
import type { StageClock } from '../stage-clock.ts';
import { tsvEncoder } from './tab-separated.ts';

const ENCODERS = {
  llm_calls: tsvEncoder<LlmCallRow>(LLM_CALL_COLUMNS),
  actions: tsvEncoder<ActionRow>(ACTION_COLUMNS),
};

export interface WriterOptions {
  client: ClickHouseClient;
  database: string;
  /** @default 1000 */
  flushIntervalMs?: number;
  /** @default 20000 */
  maxBatchRows?: number;
  onError?: (err: Error) => void;
  onInserted?: (table: string, rows: number, ms: number) => void;
  /** Charged with the time spent writing rows as insert text (the encode stage). */
  clock?: StageClock;
  /** Settings added to every insert (see clusterInsertSettings). */
  extraSettings?: Record<string, string | number>;
}

export interface Writer {
  write(calls: LlmCallRow[], actions: ActionRow[]): void;
  /** Inserts everything buffered now and resolves when it is stored. */
  flush(): Promise<void>;
  /**
   * Runs `task` after everything written so far is stored, before anything written later: with the
   * next flush (at most `flushIntervalMs` away), after its inserts. Tasks of one flush run in order.
   */
  enqueue(task: () => Promise<void>): Promise<void>;
  /**
   * The number of the flush that rows and tasks written now will go with: it changes when a flush
   * takes them. Work enqueued while it stays the same can be done as one.
   */
  batch(): number;
  /** Rows buffered or being inserted: the insert queue depth. */
  pending(): number;
  close(): Promise<void>;
}

/** Settings for every insert: the token, and dependent views deduplicated with their source. */
export function insertSettings(
  token: string,
  extra: Record<string, string | number> = {},
): Record<string, string | number> {
  return {
    ...extra,
    insert_deduplication_token: token,
    deduplicate_blocks_in_dependent_materialized_views: 1,
  };
}

/**
 * Extra insert settings in cluster mode: a Distributed table inserts in the foreground, so the
 * deduplication token reaches the shard's replicated table and a retry is recognised there.
 */
export function clusterInsertSettings(cluster: string | undefined): Record<string, string | number> {
  return cluster === undefined ? {} : { distributed_foreground_insert: 1 };
}

/**
 * A token unique to this batch: this writer's random instance id and the batch's number. A retry
 * of the batch reuses it (and is dropped as a duplicate); no other batch can share it — not even an
 * equal one (two equal delta batches are both real). Hashing the rows would add nothing to that and
 * serialise every batch twice on the ingest thread.
 */
export function batchToken(instance: string, seq: number): string {
  return `${instance}-${seq}`;
}

/**
 * One table's rows waiting for the next flush, already written as insert text in UTF-8 bytes:
 * outside the JavaScript heap, so the young-generation collections do not copy up to a second's
 * worth of text (20,000 rows, ~20 MB) twice on its way to the old generation, and the flush hands
 * the engine one buffer without first joining a string and encoding it again.
 */
interface Pending {
  chunks: Buffer[];
  rows: number;
}

export const DEFAULT_FLUSH_INTERVAL_MS = 1000;
export const DEFAULT_MAX_BATCH_ROWS = 20_000;

export function createWriter(options: WriterOptions): Writer {
  const interval = options.flushIntervalMs ?? DEFAULT_FLUSH_INTERVAL_MS;
  const maxRows = options.maxBatchRows ?? DEFAULT_MAX_BATCH_ROWS;
  const instance = randomBytes(8).toString('hex');
  let seq = 0;
  let calls: Pending = { chunks: [], rows: 0 };
  let actions: Pending = { chunks: [], rows: 0 };
  let tasks: (() => Promise<void>)[] = [];
  let batchNo = 0;
  let inFlight = 0;
  let running: Promise<void> = Promise.resolve();
  let timer: NodeJS.Timeout | undefined;

  /**
   * Rows are written as insert text when they are handed over, not at the flush: the row objects
   * then die young, and only their text (a fifth of their size) waits for the flush — the garbage
   * collector no longer copies every row from the young generation to the old one.
   */
  const encodeInto = <T extends keyof typeof ENCODERS>(
    table: T,
    into: Pending,
    rows: Parameters<(typeof ENCODERS)[T]['encode']>[0],
  ): void => {
    if (rows.length === 0) return;
    const outer = options.clock?.enter('encode');
    into.chunks.push(Buffer.from((ENCODERS[table].encode as (r: typeof rows) => string)(rows), 'utf8'));
    into.rows += rows.length;
    options.clock?.enter(outer);
  };

  const insert = async (table: keyof typeof ENCODERS, batch: Pending): Promise<void> => {
    if (batch.rows === 0) return;
    const token = batchToken(instance, seq++);
    const text = batch.chunks.length === 1 ? (batch.chunks[0] as Buffer) : Buffer.concat(batch.chunks);
    const columns = ENCODERS[table].columns as [string, ...string[]];
    const settings = insertSettings(token, options.extraSettings);
    const native = nativeInsert(options.client);
    for (let attempt = 0; ; attempt++) {
      const started = performance.now();
      try {
        if (native) {
          await native({
            table: `${options.database}.${table}`,
            columns,
            values: text,
            format: 'TabSeparated',
            settings,
          });
        } else {
          await options.client.insert({
            table: `${options.database}.${table}`,
            columns,
            values: Readable.from([text], { objectMode: false }),
            format: 'TabSeparated',
            clickhouse_settings: settings,
          });
        }
        options.onInserted?.(table, batch.rows, performance.now() - started);
        return;
      } catch (e) {
        options.onError?.(new Error(`insert into ${table} failed (attempt ${attempt + 1})`, { cause: e }));
        await new Promise((r) => setTimeout(r, Math.min(30_000, 200 * 2 ** attempt)));
      }
    }
  };

  const flushNow = (): Promise<void> => {
    if (timer) {
      clearTimeout(timer);
      timer = undefined;
    }
    const c = calls;
    const a = actions;
    const t = tasks;
    calls = { chunks: [], rows: 0 };
    actions = { chunks: [], rows: 0 };
    tasks = [];
    batchNo++;
    const rows = c.rows + a.rows;
    if (rows === 0 && t.length === 0) return running;
    inFlight += rows;
    // Calls before actions: a reader never sees an action whose calls are not stored yet.
    running = running.then(async () => {
      try {
        await insert('llm_calls', c);
        await insert('actions', a);
      } finally {
        inFlight -= rows;
      }
      // Each task settles its own promise: a failed one is reported by its caller; the queue goes on.
      for (const task of t) await task();
    });
    return running;
  };

  return {
    write(newCalls, newActions) {
      encodeInto('llm_calls', calls, newCalls);
      encodeInto('actions', actions, newActions);
      if (calls.rows + actions.rows >= maxRows) void flushNow();
      else if (!timer && calls.rows + actions.rows > 0) timer = setTimeout(() => void flushNow(), interval);
    },
    flush: flushNow,
    enqueue(task) {
      return new Promise<void>((resolve, reject) => {
        tasks.push(() => Promise.resolve().then(task).then(resolve, reject));
        if (!timer) timer = setTimeout(() => void flushNow(), interval);
      });
    },
    batch: () => batchNo,
    pending: () => calls.rows + actions.rows + inFlight,
    async close() {
      await flushNow();
    },
  };
}
