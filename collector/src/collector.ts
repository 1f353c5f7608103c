/**
 * Wires one collector: store client and migrations, writer, assembler, pricing pipeline and the
 * HTTP app. `start()` listens; `stop()` writes out everything held and closes the store.
 *
 * @module
 */

import type { Server } from 'node:http';
import type { ClickHouseClient } from '@clickhouse/client';
import { createPricer } from '@costline/pricing';
import type { Pricer } from '@costline/pricing';
import type express from 'express';
import { createApp } from './app/create-app.ts';
import { createAssembler } from './assemble/assembler.ts';
import type { Assembler } from './assemble/assembler.ts';
import { createMetrics } from './metrics.ts';
import type { Metrics } from './metrics.ts';
import { createPipeline } from './pipeline.ts';
import type { Pipeline } from './pipeline.ts';
import { createAvoidedCostEstimator } from './price/avoided-cost.ts';
import { createStoreClient, storeIdentity } from './store/client.ts';
import type { StoreConfig } from './store/client.ts';
import { migrate } from './store/migrate.ts';
import { createWriter } from './store/writer.ts';
import type { Writer } from './store/writer.ts';

export interface CollectorConfig {
  store: StoreConfig;
  /** @default 4318 */
  port?: number;
  /** @default '127.0.0.1' */
  host?: string;
  ingestToken?: string | undefined;
  maxOpenActions?: number;
  actionWaitMs?: number;
  /** How long a wrapper's model-call span waits for the SDK's own span under it. @default 2000 */
  leafWaitMs?: number;
  flushIntervalMs?: number;
  /** Use this client instead of creating one from `store` (tests share one chDB per process). */
  client?: ClickHouseClient;
  pricer?: Pricer;
  log?: (msg: string) => void;
}

export interface Collector {
  app: express.Express;
  client: ClickHouseClient;
  metrics: Metrics;
  pipeline: Pipeline;
  assembler: Assembler;
  writer: Writer;
  /** Listens and resolves with the bound port. */
  start(): Promise<number>;
  /** Writes out held calls as `unknown`, waits for inserts, stops listening. */
  stop(): Promise<void>;
  /** Waits until every span received so far is inserted (calls still waiting for actions stay). */
  flush(): Promise<void>;
}

export async function createCollector(config: CollectorConfig): Promise<Collector> {
  const log = config.log ?? ((m: string) => console.error(`[costline] ${m}`));
  const client = config.client ?? createStoreClient(config.store);
  await migrate(client, config.store.database);
  const metrics = createMetrics();
  const writer = createWriter({
    client,
    database: config.store.database,
    flushIntervalMs: config.flushIntervalMs,
    onError: (e) => {
      metrics.inc('costline_insert_errors_total');
      log(`${e.message}: ${(e.cause as Error | undefined)?.message ?? ''}`);
    },
    onInserted: (table, rows, ms) => {
      metrics.inc('costline_insert_rows_total', rows, { table });
      metrics.observe('costline_insert_latency_ms', ms);
    },
  });
  const assembler = createAssembler({
    maxOpenActions: config.maxOpenActions,
    maxWaitMs: config.actionWaitMs,
    emit: (calls, actions) => writer.write(calls, actions),
  });
  const pipeline = createPipeline({
    pricer: config.pricer ?? createPricer(),
    assembler,
    estimator: createAvoidedCostEstimator(),
    metrics,
    leafWaitMs: config.leafWaitMs,
    log,
  });
  metrics.gauge('costline_open_actions', () => assembler.stats().openActions);
  metrics.gauge('costline_waiting_calls', () => assembler.stats().waitingCalls);
  metrics.gauge('costline_expired_actions', () => assembler.stats().expiredActions);
  metrics.gauge('costline_evicted_actions', () => assembler.stats().evictedActions);
  metrics.gauge('costline_late_calls', () => assembler.stats().lateCalls);
  metrics.gauge('costline_queue_depth', () => writer.pending());
  metrics.gauge('costline_leaf_held_calls', () => pipeline.leafStats().held);
  metrics.gauge('costline_leaf_dropped_wrappers', () => pipeline.leafStats().droppedWrappers);
  metrics.gauge('costline_leaf_late_children', () => pipeline.leafStats().lateChildren);

  const app = createApp({
    pipeline,
    metrics,
    client,
    database: config.store.database,
    ingestToken: config.ingestToken,
    ready: () => true,
    storeIdentity: storeIdentity(config.store),
    server: config.store.url !== undefined && config.store.url !== '',
  });
  let server: Server | undefined;
  const sweeper = setInterval(() => {
    pipeline.sweep();
    assembler.sweep();
  }, 1000);
  sweeper.unref();

  return {
    app,
    client,
    metrics,
    pipeline,
    assembler,
    writer,
    start() {
      return new Promise((resolve, reject) => {
        const s = app.listen(config.port ?? 4318, config.host ?? '127.0.0.1', (err?: Error) => {
          if (err) reject(err);
          else {
            const addr = s.address();
            resolve(typeof addr === 'object' && addr ? addr.port : 0);
          }
        });
        s.on('error', reject);
        server = s;
      });
    },
    async stop() {
      clearInterval(sweeper);
      if (server) await new Promise<void>((r) => server?.close(() => r()));
      pipeline.drain();
      assembler.drain();
      await writer.close();
      if (!config.client) await client.close();
    },
    flush: () => writer.flush(),
  };
}
