/**
 * Batches rows and inserts them into ClickHouse: one insert per table per flush, every
 * `flushIntervalMs` or when `maxBatchRows` rows are waiting. A failed insert is retried with the
 * same `insert_deduplication_token`, so a retry that reached the server twice stores the rows once.
 *
 * @module
 */

import { createHash } from 'node:crypto';
import type { ClickHouseClient } from '@clickhouse/client';
import type { ActionRow, LlmCallRow } from './rows.ts';

export interface WriterOptions {
  client: ClickHouseClient;
  database: string;
  /** @default 250 */
  flushIntervalMs?: number;
  /** @default 5000 */
  maxBatchRows?: number;
  onError?: (err: Error) => void;
  onInserted?: (table: string, rows: number, ms: number) => void;
}

export interface Writer {
  write(calls: LlmCallRow[], actions: ActionRow[]): void;
  /** Inserts everything buffered now and resolves when it is stored. */
  flush(): Promise<void>;
  pending(): number;
  close(): Promise<void>;
}

export function createWriter(options: WriterOptions): Writer {
  const interval = options.flushIntervalMs ?? 250;
  const maxRows = options.maxBatchRows ?? 5000;
  let calls: LlmCallRow[] = [];
  let actions: ActionRow[] = [];
  let running: Promise<void> = Promise.resolve();
  let timer: NodeJS.Timeout | undefined;

  const insert = async (table: string, rows: object[]): Promise<void> => {
    if (rows.length === 0) return;
    const token = createHash('sha256').update(JSON.stringify(rows)).digest('hex').slice(0, 32);
    for (let attempt = 0; ; attempt++) {
      const started = performance.now();
      try {
        await options.client.insert({
          table: `${options.database}.${table}`,
          values: rows,
          format: 'JSONEachRow',
          clickhouse_settings: { insert_deduplication_token: token },
        });
        options.onInserted?.(table, rows.length, performance.now() - started);
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
    calls = [];
    actions = [];
    // Calls before actions: a reader never sees an action whose calls are not stored yet.
    running = running.then(async () => {
      await insert('llm_calls', c);
      await insert('actions', a);
    });
    return running;
  };

  return {
    write(newCalls, newActions) {
      for (const c of newCalls) calls.push(c);
      for (const a of newActions) actions.push(a);
      if (calls.length + actions.length >= maxRows) void flushNow();
      else if (!timer && calls.length + actions.length > 0)
        timer = setTimeout(() => void flushNow(), interval);
    },
    flush: flushNow,
    pending: () => calls.length + actions.length,
    async close() {
      await flushNow();
    },
  };
}
