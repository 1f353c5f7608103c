/**
 * Request accounting, so tests can assert what reached the wire: totals per route and status, and
 * the latest request records (status, fault, retry count, usage).
 *
 * @module
 */
import type { RequestRecord, SimulatorStats } from './types.ts';

export interface StatsRecorder {
  record(entry: RequestRecord): void;
  snapshot(): SimulatorStats;
  clear(): void;
}

export function createStatsRecorder(maxRecords: number): StatsRecorder {
  let stats: SimulatorStats = { total: 0, byRoute: {}, requests: [] };

  return {
    record(entry) {
      stats.total += 1;
      const route = (stats.byRoute[entry.route] ??= { total: 0, byStatus: {} });
      route.total += 1;
      const key = String(entry.status);
      route.byStatus[key] = (route.byStatus[key] ?? 0) + 1;
      stats.requests.push(entry);
      if (stats.requests.length > maxRecords) stats.requests.shift();
    },
    snapshot() {
      return structuredClone(stats);
    },
    clear() {
      stats = { total: 0, byRoute: {}, requests: [] };
    },
  };
}
