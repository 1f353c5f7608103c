/**
 * An in-process collector on the per-process test store, with its own database, listening on a
 * random loopback port.
 */

import type { Collector, CollectorConfig } from '../../src/collector.ts';
import { createCollector } from '../../src/collector.ts';
import { newDatabase, testClient } from './chdb.ts';

export interface TestCollector {
  collector: Collector;
  url: string;
  database: string;
  stop(): Promise<void>;
}

export async function startTestCollector(
  overrides: Partial<CollectorConfig> & { database?: string } = {},
): Promise<TestCollector> {
  const { database = newDatabase(), ...config } = overrides;
  const logs: string[] = [];
  const collector = await createCollector({
    store: { dataDir: 'unused', database },
    client: testClient(),
    port: 0,
    flushIntervalMs: 20,
    log: (m) => logs.push(m),
    ...config,
  });
  const port = await collector.start();
  return {
    collector,
    url: `http://127.0.0.1:${port}`,
    database,
    stop: () => collector.stop(),
  };
}
