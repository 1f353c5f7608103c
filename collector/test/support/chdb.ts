/**
 * One chDB store per test process (chDB binds one data directory per process), a database per test.
 */

import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ClickHouseClient } from '@clickhouse/client';
import { createStoreClient } from '../../src/store/client.ts';

let client: ClickHouseClient | undefined;

export function testClient(): ClickHouseClient {
  client ??= createStoreClient({
    dataDir: join(tmpdir(), `costline-test-${process.pid}`),
    database: 'unused',
  });
  return client;
}

export function newDatabase(prefix = 't'): string {
  return `${prefix}_${randomBytes(6).toString('hex')}`;
}

export async function rows<T>(query: string): Promise<T[]> {
  const rs = await testClient().query({ query, format: 'JSONEachRow' });
  return rs.json<T>();
}
