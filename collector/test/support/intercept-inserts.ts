/**
 * Wraps every way the collector inserts through `client` — the client's own insert and the embedded
 * engine's native one — with `around`, until the returned function restores them.
 */

import type { ClickHouseClient } from '@clickhouse/client';
import { nativeInsert, setNativeInsert } from '../../src/store/client.ts';

export function interceptInserts(
  client: ClickHouseClient,
  around: <T>(insert: () => Promise<T>) => Promise<T>,
): () => void {
  const realInsert = client.insert.bind(client);
  const realNative = nativeInsert(client);
  client.insert = (params: Parameters<typeof realInsert>[0]) => around(() => realInsert(params));
  if (realNative) setNativeInsert(client, (params) => around(() => realNative(params)));
  return () => {
    client.insert = realInsert;
    if (realNative) setNativeInsert(client, realNative);
  };
}
