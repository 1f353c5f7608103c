/**
 * The collector and migration options that follow from the settings, shared by every command that
 * ingests or migrates (serve, import, migrate).
 *
 * @module
 */

import type { CollectorConfig } from '../collector.ts';
import type { MigrateOptions } from '../store/migrate.ts';
import type { Settings } from './settings.ts';

/** The collector options every command that ingests shares (serve, import). */
export function collectorOptions(s: Settings): Partial<CollectorConfig> {
  return {
    maxOpenActions: s.maxOpenActions,
    actionWaitMs: s.actionWaitMs,
    maxHeldBytes: s.maxHeldBytes,
    surfaceAttributes: s.surfaceAttributes,
    maxQueueRows: s.maxQueueRows,
    forwardEndpoint: s.forwardEndpoint,
    migrations: migrateOptions(s),
  };
}

export function migrateOptions(s: Settings): MigrateOptions {
  return { rawTtlDays: s.ttlDays, aggregateTtlDays: s.aggTtlDays, cluster: s.cluster };
}
