/**
 * The end-to-end tests' ClickHouse: one chDB store per test process (chDB binds one data directory
 * per process), a database per collector.
 *
 * @module
 */

import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ClickHouseClient } from '@clickhouse/client';
import { createCollector, createStoreClient } from '@costline/collector';
import type { Collector, CollectorConfig } from '@costline/collector';

let client: ClickHouseClient | undefined;

export function storeClient(): ClickHouseClient {
  client ??= createStoreClient({
    dataDir: join(tmpdir(), `costline-e2e-${process.pid}`),
    database: 'unused',
  });
  return client;
}

export async function rows<T>(query: string, params: Record<string, unknown> = {}): Promise<T[]> {
  const rs = await storeClient().query({ query, format: 'JSONEachRow', query_params: params });
  return rs.json<T>();
}

export interface RunningCollector {
  collector: Collector;
  url: string;
  database: string;
  logs: string[];
}

/** A collector on the shared store with a fresh database, listening on a free loopback port. */
export async function startCollector(overrides: Partial<CollectorConfig> = {}): Promise<RunningCollector> {
  const database = `e2e_${randomBytes(6).toString('hex')}`;
  const logs: string[] = [];
  const collector = await createCollector({
    store: { dataDir: 'unused', database },
    client: storeClient(),
    port: 0,
    flushIntervalMs: 20,
    log: (m) => logs.push(m),
    ...overrides,
  });
  const port = await collector.start();
  return { collector, url: `http://127.0.0.1:${port}`, database, logs };
}
