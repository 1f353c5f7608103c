/**
 * Opens the store for a CLI command: the ClickHouse server when configured; else the embedded
 * store, or — when a running collector holds it — that collector's query endpoint.
 *
 * @module
 */

import { clientRunner, httpRunner } from '../report/query-runner.ts';
import type { QueryRunner } from '../report/query-runner.ts';
import { createStoreClient } from '../store/client.ts';
import { migrate } from '../store/migrate.ts';
import type { Settings } from './settings.ts';

export async function openQueryRunner(settings: Settings): Promise<QueryRunner> {
  const collectorUrl = `http://${settings.host === '0.0.0.0' ? '127.0.0.1' : settings.host}:${settings.port}`;
  if (!settings.clickhouseUrl && (await collectorAnswers(collectorUrl))) {
    return httpRunner(collectorUrl, settings.ingestToken);
  }
  const client = createStoreClient({
    dataDir: settings.dataDir,
    url: settings.clickhouseUrl,
    user: settings.clickhouseUser,
    password: settings.clickhousePassword,
    database: settings.database,
  });
  try {
    await migrate(client, settings.database);
  } catch (e) {
    await client.close().catch(() => undefined);
    const msg = (e as Error).message;
    if (/lock/i.test(msg)) {
      throw new Error(
        `the store in ${settings.dataDir} is held by another process, and no collector answers at ${collectorUrl}`,
        { cause: e },
      );
    }
    throw e;
  }
  return clientRunner(client, true);
}

async function collectorAnswers(url: string): Promise<boolean> {
  try {
    const res = await fetch(new URL('/healthz', url), { signal: AbortSignal.timeout(500) });
    return res.ok;
  } catch {
    return false;
  }
}
