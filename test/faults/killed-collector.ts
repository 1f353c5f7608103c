/**
 * In-process crash tests: collectors on one chDB store, each through its own fault-injecting
 * connection (test/support/faulty-connection.ts), so one collector can be "killed" — its
 * connection never answers again, nothing more of it reaches the store — while a restarted one,
 * on a live connection, replays the same spool. Also what the tests check against the store: each
 * action's totals beside the same totals summed over its calls.
 *
 * @module
 */

import { mkdtempSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createClient } from '@clickhouse/client';
import type { ClickHouseClient } from '@clickhouse/client';
import { createChdbConnection } from 'chdb/connection';
import { expect } from 'vitest';
import { createCollector } from '@costline/collector';
import type { Collector, CollectorConfig } from '@costline/collector';
import { faultyConnection } from '../support/faulty-connection.ts';
import type { ConnectionLike, Fault } from '../support/faulty-connection.ts';

type ClientConnection = NonNullable<Parameters<typeof createClient>[0]>['connection'];

export interface CrashStore {
  /** The live client: the restarted collector's, and the test's reads. Close it last (it closes chDB). */
  live: ClickHouseClient;
  rows<T>(query: string): Promise<T[]>;
  /** A collector (not listening) on the live client: a restart replays the spool. */
  restart(database: string, spoolDir: string, config?: Partial<CollectorConfig>): Promise<Collector>;
  /** A collector on its own connection, listening, that the test feeds and then kills. */
  killable(database: string, spoolDir: string, config?: Partial<CollectorConfig>): Promise<KillableCollector>;
}

export interface KillableCollector {
  collector: Collector;
  /** Posts each body (gzip OTLP protobuf) and expects it acknowledged (spooled). */
  post(bodies: Buffer[]): Promise<void>;
  /** Waits until nothing waits in the leaf resolver or the assembler (their waits run out). */
  settle(): Promise<void>;
  /**
   * Kills the collector on its next insert: `dead-after-insert` stores that flush's insert into the
   * table and then nothing more; `dead` stores nothing more. `then` is posted after the fault is
   * set: acknowledged (spooled), processed, and nothing of it stored.
   */
  kill(fault: Extract<Fault, { kind: 'dead' | 'dead-after-insert' }>, then?: Buffer[]): Promise<void>;
}

export function crashStore(): CrashStore {
  const inner = createChdbConnection({
    path: mkdtempSync(join(tmpdir(), 'costline-killed-')),
  }) as unknown as ConnectionLike;
  const clientOn = (): { client: ClickHouseClient; faulty: ReturnType<typeof faultyConnection> } => {
    const faulty = faultyConnection(inner);
    const client = createClient({
      connection: faulty.connection as unknown as ClientConnection,
      clickhouse_settings: { output_format_json_quote_decimals: 1 },
    });
    return { client, faulty };
  };
  const live = clientOn().client;
  const start = (
    client: ClickHouseClient,
    database: string,
    spoolDir: string,
    config: Partial<CollectorConfig>,
  ) =>
    createCollector({
      store: { dataDir: 'unused', database },
      client,
      port: 0,
      // One flush for everything the test sends: the test triggers it.
      flushIntervalMs: 60_000,
      leafWaitMs: 50,
      spoolDir,
      log: () => {},
      ...config,
    });
  return {
    live,
    rows: async <T>(query: string) => (await live.query({ query, format: 'JSONEachRow' })).json<T>(),
    restart: (database, spoolDir, config = {}) => start(live, database, spoolDir, config),
    async killable(database, spoolDir, config = {}) {
      const { client, faulty } = clientOn();
      const c = await start(client, database, spoolDir, config);
      const server = createServer(c.app);
      await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1/traces`;
      const post = async (bodies: Buffer[]): Promise<void> => {
        for (const body of bodies) {
          const res = await fetch(url, {
            method: 'POST',
            headers: { 'content-type': 'application/x-protobuf', 'content-encoding': 'gzip' },
            body,
          });
          await res.arrayBuffer();
          expect(res.status).toBe(200);
        }
      };
      return {
        collector: c,
        post,
        async settle() {
          for (let i = 0; i < 200; i++) {
            c.pipeline.sweep();
            c.assembler.sweep();
            if (c.pipeline.leafStats().held === 0 && c.assembler.stats().openActions === 0) return;
            await new Promise((r) => setTimeout(r, 20));
          }
          throw new Error('calls still wait');
        },
        async kill(fault, then = []) {
          const before = faulty.failures()['insert'] ?? 0;
          faulty.set(fault);
          await post(then);
          void c.flush();
          for (let i = 0; i < 200 && (faulty.failures()['insert'] ?? 0) === before; i++)
            await new Promise((r) => setTimeout(r, 20));
          expect(faulty.failures()['insert']).toBe(before + 1);
          server.closeAllConnections();
          await new Promise((r) => server.close(r));
          // The collector object is left as it is: dead, like the killed process.
        },
      };
    },
  };
}

export function spoolDir(): string {
  return mkdtempSync(join(tmpdir(), 'costline-killed-spool-'));
}

export interface ActionTotals {
  action_id: string;
  surface: string;
  outcome: string;
  /** `sum(sign)`: 1 when the action is counted once. */
  n: string;
  llm_calls: string;
  input: string;
  output: string;
  cache_read: string;
  cost: string;
}

/** Per action (still counted): its `sum(sign)` and totals, as plain sums over its rows. */
export const ACTION_TOTALS = (db: string): string => `
  SELECT action_id, surface, outcome, toString(sum(sign)) AS n, toString(sum(llm_calls)) AS llm_calls,
         toString(sum(input_tokens)) AS input, toString(sum(output_tokens)) AS output,
         toString(sum(cache_read_tokens)) AS cache_read, toString(sum(cost_usd)) AS cost
  FROM ${db}.actions GROUP BY action_id, surface, outcome HAVING sum(sign) != 0 ORDER BY action_id`;

/** The same totals summed over each action's calls. */
export const CALL_TOTALS = (db: string): string => `
  SELECT action_id, toString(sumIf(sign, NOT app_cache_hit)) AS llm_calls,
         toString(sum(input_tokens)) AS input, toString(sum(output_tokens)) AS output,
         toString(sum(cache_read_tokens)) AS cache_read, toString(sum(cost_usd)) AS cost
  FROM ${db}.llm_calls GROUP BY action_id ORDER BY action_id`;

/** `sum(sign)` per call span. */
export const CALLS_ONCE = (db: string): string =>
  `SELECT span_id, toString(sum(sign)) AS n FROM ${db}.llm_calls GROUP BY span_id ORDER BY span_id`;

/** The totals of an action row without its id, surface, outcome and count: to compare with CALL_TOTALS. */
export function totalsOnly(a: ActionTotals): Omit<ActionTotals, 'surface' | 'outcome' | 'n'> {
  const { surface: _s, outcome: _o, n: _n, ...rest } = a;
  return rest;
}
