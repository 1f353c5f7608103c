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
import { createMetrics, INGEST_SECONDS } from './metrics.ts';
import type { Metrics } from './metrics.ts';
import { decodeJsonTraces } from './otlp/decode-json.ts';
import { decodeProtobufTraces } from './otlp/decode-protobuf.ts';
import { createForwarder } from './otlp/forwarder.ts';
import { createStageClock, INGEST_STAGES } from './stage-clock.ts';
import { createPipeline } from './pipeline.ts';
import type { Pipeline } from './pipeline.ts';
import { createAvoidedCostEstimator } from './price/avoided-cost.ts';
import { createStoreClient, storeIdentity } from './store/client.ts';
import type { StoreConfig } from './store/client.ts';
import { migrate } from './store/migrate.ts';
import type { MigrateOptions } from './store/migrate.ts';
import { createOutcomeCorrector } from './store/outcome-correction.ts';
import { loadStoredActions } from './store/stored-actions.ts';
import { loadStoredKeys } from './store/stored-keys.ts';
import { loadUncountedCalls } from './store/uncounted-calls.ts';
import { clusterInsertSettings, createWriter } from './store/writer.ts';
import { createDurableIngest } from './spool/durable-ingest.ts';
import { openSpool } from './spool/spool.ts';
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
  /** Bound on the estimated bytes the assembler holds. @default 256 MiB */
  maxHeldBytes?: number;
  /** Closed actions remembered for late calls and outcomes. @default 20000 */
  recentClosed?: number;
  /** Attributes naming another producer's action surface, in order. */
  surfaceAttributes?: readonly string[] | undefined;
  /** How long a wrapper's model-call span waits for the SDK's own span under it. @default 2000 */
  leafWaitMs?: number;
  flushIntervalMs?: number;
  /** Rows waiting for insert beyond which ingest answers 429 with Retry-After. @default 200000 */
  maxQueueRows?: number;
  /** TTLs and cluster mode for the migrations. */
  migrations?: MigrateOptions;
  /** Downstream OTLP/HTTP traces URL to forward spans to, cost-enriched. */
  forwardEndpoint?: string | undefined;
  /** How often the store is pinged for /readyz and 503s. @default 5000 */
  healthCheckMs?: number;
  /** How far back (hours) the store is read at start to drop re-delivered spans. @default 24 */
  dedupeLookbackHours?: number;
  /**
   * The outage spool's folder: requests are acknowledged once appended and fsynced there, and
   * replayed after a crash. Without it a request is acknowledged once decoded (calls held in memory
   * are lost by a crash).
   */
  spoolDir?: string | undefined;
  /** Bytes the spool may hold before ingest answers 503. @default 1 GiB */
  spoolMaxBytes?: number;
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
  const database = config.store.database;
  await migrate(client, database, config.migrations);
  const metrics = createMetrics();
  // Where the ingest thread's time goes, by stage (the benchmark's CPU split reads these).
  const clock = createStageClock();
  for (const stage of INGEST_STAGES) {
    metrics.gauge(INGEST_SECONDS, () => clock.seconds(stage), 'counter', { stage });
  }
  const extraSettings = clusterInsertSettings(config.migrations?.cluster);
  const writer = createWriter({
    client,
    extraSettings,
    database: config.store.database,
    flushIntervalMs: config.flushIntervalMs,
    onError: (e) => {
      metrics.inc('costline_insert_errors_total');
      log(`${e.message}: ${(e.cause as Error | undefined)?.message ?? ''}`);
    },
    clock,
    onInserted: (table, rows, ms) => {
      metrics.inc('costline_insert_rows_total', rows, { table });
      metrics.observe('costline_insert_latency_ms', ms);
    },
  });
  const corrector = createOutcomeCorrector({
    client,
    extraSettings,
    database,
    writer,
    onCorrected: (r) => {
      metrics.inc('costline_outcome_corrections_total');
      if (r.unmatched) metrics.inc('costline_late_outcomes_unmatched_total');
    },
    onError: (e) => log(`${e.message}: ${(e.cause as Error | undefined)?.message ?? ''}`),
  });
  const assembler = createAssembler({
    maxOpenActions: config.maxOpenActions,
    maxWaitMs: config.actionWaitMs,
    maxHeldBytes: config.maxHeldBytes,
    recentClosed: config.recentClosed,
    surfaceAttributes: config.surfaceAttributes,
    emit: (calls, actions) => writer.write(calls, actions),
    onOutcomeChange: (change) => {
      corrector.apply(change).catch(() => undefined);
    },
    onStoredDelta: (actionId, delta) => {
      corrector.addDelta(actionId, delta).catch(() => undefined);
    },
  });
  const pipeline = createPipeline({
    pricer: config.pricer ?? createPricer(),
    assembler,
    estimator: createAvoidedCostEstimator(),
    metrics,
    leafWaitMs: config.leafWaitMs,
    clock,
    log,
  });
  // The in-memory seen-set is empty after a restart: what the store already holds is a duplicate.
  const lookbackHours = config.dedupeLookbackHours ?? 24;
  pipeline.markSeen(await loadStoredKeys(client, database, lookbackHours));
  // ...except calls a crash left stored without their action row: replayed, their action counts them.
  // Actions already stored are not written again: their replayed or late spans add to them.
  assembler.markStored(await loadStoredActions(client, database, lookbackHours));
  const uncounted = await loadUncountedCalls(client, database, lookbackHours);
  pipeline.markUncounted(uncounted);
  if (uncounted.length > 0)
    log(
      `store: ${uncounted.length} calls are stored without their action row; their replay counts them in it`,
    );
  const durable = config.spoolDir
    ? createDurableIngest({
        spool: await openSpool({ dir: config.spoolDir, maxBytes: config.spoolMaxBytes, log }),
        flush: () => writer.flush(),
        // Longer than anything waits before it reaches the writer: leaf wait + action wait + sweeps.
        holdHorizonMs: (config.leafWaitMs ?? 2000) + (config.actionWaitMs ?? 60_000) + 3000,
        log,
      })
    : undefined;
  if (durable) {
    const replayed = await durable.replay((kind, body) => {
      const batch = kind === 'json' ? decodeJsonTraces(body.toString('utf8')) : decodeProtobufTraces(body);
      pipeline.ingest(batch.spans);
    });
    if (replayed > 0) log(`spool: replayed ${replayed} requests held from an earlier run`);
    metrics.gauge('costline_spool_bytes', () => durable.stats().bytes);
    metrics.gauge('costline_spool_max_bytes', () => durable.stats().maxBytes);
    metrics.gauge('costline_spool_pending_records', () => durable.stats().pendingRecords);
    metrics.gauge('costline_spool_oldest_age_seconds', () => durable.stats().oldestAgeMs / 1000);
    metrics.gauge('costline_spool_replay_remaining', () => durable.stats().replayRemaining);
    metrics.gauge('costline_spool_replayed_total', () => durable.stats().replayed, 'counter');
    metrics.gauge('costline_spool_skipped_records_total', () => durable.stats().skippedRecords, 'counter');
  }
  metrics.gauge('costline_open_actions', () => assembler.stats().openActions);
  metrics.gauge('costline_waiting_calls', () => assembler.stats().waitingCalls);
  metrics.gauge('costline_held_bytes', () => assembler.stats().heldBytes);
  metrics.gauge('costline_expired_actions_total', () => assembler.stats().expiredActions, 'counter');
  metrics.gauge('costline_evicted_actions_total', () => assembler.stats().evictedActions, 'counter');
  metrics.gauge('costline_late_calls_total', () => assembler.stats().lateCalls, 'counter');
  metrics.gauge('costline_late_outcomes_total', () => assembler.stats().lateOutcomes, 'counter');
  metrics.gauge('costline_orphan_calls_total', () => assembler.stats().orphanCalls, 'counter');
  metrics.gauge('costline_queue_depth', () => writer.pending());
  // The ingest thread's busy time in all, of which INGEST_SECONDS are the stages.
  metrics.gauge(
    'costline_event_loop_busy_seconds_total',
    () => performance.eventLoopUtilization().active / 1000,
    'counter',
  );
  const maxQueueRows = config.maxQueueRows ?? 200_000;
  let storeAnswers = true;
  metrics.gauge('costline_leaf_held_calls', () => pipeline.leafStats().held);
  metrics.gauge('costline_leaf_dropped_wrappers', () => pipeline.leafStats().droppedWrappers);
  metrics.gauge('costline_leaf_late_children', () => pipeline.leafStats().lateChildren);

  const forwarder = config.forwardEndpoint
    ? createForwarder({ endpoint: config.forwardEndpoint, metrics })
    : undefined;
  const app = createApp({
    forwarder,
    pipeline,
    clock,
    metrics,
    client,
    database,
    ingestToken: config.ingestToken,
    ready: () => storeAnswers,
    accepting: () =>
      writer.pending() >= maxQueueRows
        ? { status: 429, retryAfterSeconds: 5, reason: `insert queue full (${writer.pending()} rows)` }
        : storeAnswers || durable
          ? undefined // with the spool, an outage is absorbed until the spool is full
          : { status: 503, retryAfterSeconds: 10, reason: 'the store does not answer' },
    durable,
    storeIdentity: storeIdentity(config.store),
    server: config.store.url !== undefined && config.store.url !== '',
  });
  let server: Server | undefined;
  const sweeper = setInterval(() => {
    pipeline.sweep();
    assembler.sweep();
    durable?.tick();
  }, 1000);
  sweeper.unref();
  // /readyz and 503s follow the store: it answered the migrations; a ping keeps that current.
  const pinger = setInterval(() => {
    client.ping().then(
      (r) => {
        storeAnswers = r.success;
      },
      () => {
        storeAnswers = false;
      },
    );
  }, config.healthCheckMs ?? 5000);
  pinger.unref();

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
      clearInterval(pinger);
      if (server) await new Promise<void>((r) => server?.close(() => r()));
      pipeline.drain();
      assembler.drain();
      await writer.close();
      // Everything is stored: nothing in the spool needs replaying.
      durable?.releaseAll();
      await durable?.close();
      await forwarder?.idle();
      if (!config.client) await client.close();
    },
    flush: () => writer.flush(),
  };
}
