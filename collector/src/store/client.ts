/**
 * Creates the `@clickhouse/client` the collector uses everywhere: an embedded chDB engine on a
 * local folder by default, or a ClickHouse server when a URL is given. Same SQL, same code path.
 *
 * @module
 */

import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { ClickHouseLogLevel, createClient } from '@clickhouse/client';
import type { ClickHouseClient } from '@clickhouse/client';
import { createChdbConnection } from 'chdb/connection';

type ChdbClientConnection = NonNullable<Parameters<typeof createClient>[0]>['connection'];

export interface StoreConfig {
  /** Embedded store folder (chDB). Ignored when `url` is set. */
  dataDir: string;
  /** ClickHouse server URL, e.g. http://localhost:8123. */
  url?: string | undefined;
  user?: string | undefined;
  password?: string | undefined;
  database: string;
}

export function createStoreClient(config: StoreConfig): ClickHouseClient {
  const settings = {
    // Decimals as strings in JSON, so money never passes through a double on the way out.
    output_format_json_quote_decimals: 1,
    date_time_input_format: 'best_effort',
  } as const;
  if (config.url) {
    return createClient({
      url: config.url,
      username: config.user ?? 'default',
      password: config.password ?? '',
      clickhouse_settings: settings,
      // Every failure reaches the caller as an error, which says it once, plainly; the client's own
      // logger would print each one again as a multi-line dump with a stack.
      log: { level: ClickHouseLogLevel.OFF },
    });
  }
  const path = resolve(config.dataDir);
  mkdirSync(path, { recursive: true });
  // chdb types its Connection against @clickhouse/client-common 1.23.0, the client bundles its own
  // copy of the same interface: structurally equal at run time, nominally distinct for tsc.
  const chdb = createChdbConnection({ path });
  const connection = chdb as unknown as ChdbClientConnection;
  const client = createClient({ connection, clickhouse_settings: settings });
  setNativeInsert(client, (params) => chdb.chdb.rawInsert(params));
  return client;
}

/**
 * An insert of text already in its format, handed to the engine as it is. `settings` are the
 * insert's own (a `SETTINGS` clause), not the session's.
 */
export type NativeInsert = (params: {
  table: string;
  columns: string[];
  /** The rows as text, or its UTF-8 bytes. */
  values: string | Buffer;
  format: 'TabSeparated';
  settings: Record<string, string | number>;
}) => Promise<unknown>;

const NATIVE_INSERTS = new WeakMap<ClickHouseClient, NativeInsert>();

/**
 * The embedded engine's own insert for a client made by {@link createStoreClient} over chDB: the
 * text goes to the engine in one piece, where the client's insert reads it back from a stream and
 * splices it into the statement's text first (copies of every batch on the ingest thread). None
 * for a server, or a client made elsewhere (the tests' fault-injecting connection).
 */
export function nativeInsert(client: ClickHouseClient): NativeInsert | undefined {
  return NATIVE_INSERTS.get(client);
}

/** Gives `client` its native insert (tests wrap the real one to inject faults). */
export function setNativeInsert(client: ClickHouseClient, insert: NativeInsert): void {
  NATIVE_INSERTS.set(client, insert);
}

/**
 * What identifies a store across processes: the server URL and database, or the embedded folder's
 * absolute path and database. The CLI reads a store through a running collector only when the
 * collector reports the same identity.
 */
export function storeIdentity(config: StoreConfig): string {
  return `${config.url ?? `file:${resolve(config.dataDir)}`}#${config.database}`;
}
