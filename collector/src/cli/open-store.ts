/**
 * Opens the store for a CLI command: the ClickHouse server when configured; else the embedded
 * store, or — when a running collector holds it — that collector's query endpoint.
 *
 * @module
 */

import { clientRunner, httpRunner } from '../report/query-runner.ts';
import type { QueryRunner } from '../report/query-runner.ts';
import { createStoreClient, storeIdentity } from '../store/client.ts';
import { migrate } from '../store/migrate.ts';
import type { Settings } from './settings.ts';

/** Where a collector started with these settings answers. */
export function localCollectorUrl(settings: Settings): string {
  return `http://${settings.host === '0.0.0.0' ? '127.0.0.1' : settings.host}:${settings.port}`;
}

export function storeOf(settings: Settings) {
  return {
    dataDir: settings.dataDir,
    url: settings.clickhouseUrl,
    user: settings.clickhouseUser,
    password: settings.clickhousePassword,
    database: settings.database,
  };
}

export async function openQueryRunner(settings: Settings): Promise<QueryRunner> {
  const collectorUrl = localCollectorUrl(settings);
  const store = storeOf(settings);
  if (!settings.clickhouseUrl && (await collectorHolds(collectorUrl, storeIdentity(store)))) {
    return httpRunner(collectorUrl, settings.ingestToken);
  }
  let client: ReturnType<typeof createStoreClient> | undefined;
  try {
    client = createStoreClient(store);
    await migrate(client, settings.database);
  } catch (e) {
    await client?.close().catch(() => undefined);
    const msg = (e as Error).message;
    if (/lock/i.test(msg) || /Failed to create connection/.test(msg)) {
      throw new Error(
        `the store in ${settings.dataDir} is held by another process, and no collector holding it answers at ${collectorUrl} (set COSTLINE_PORT to its port)`,
        { cause: e },
      );
    }
    throw e;
  }
  return clientRunner(client, { closeClient: true, server: settings.clickhouseUrl !== undefined });
}

/** Whether a collector answers at `url` holding this very store (another store's collector is no use). */
export async function collectorHolds(url: string, identity: string): Promise<boolean> {
  try {
    const res = await fetch(new URL('/healthz', url), { signal: AbortSignal.timeout(500) });
    const held = res.headers.get('x-costline-store');
    return res.ok && held !== null && decodeURIComponent(held) === identity;
  } catch {
    return false;
  }
}
