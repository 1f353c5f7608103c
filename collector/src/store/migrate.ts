/**
 * Applies the versioned `.sql` migrations in `collector/migrations/` in order, once each, recording
 * them in `<db>.schema_migrations`. The text is rendered for one node or a cluster, with the
 * configured TTLs, by ./ddl.ts.
 *
 * @module
 */

import { readdir, readFile } from 'node:fs/promises';
import type { ClickHouseClient } from '@clickhouse/client';
import {
  createDatabaseStatement,
  renderMigration,
  TTL_TABLES,
  ttlChange,
  validateDdlOptions,
} from './ddl.ts';
import type { DdlOptions } from './ddl.ts';

const MIGRATIONS_DIR = new URL('../../migrations/', import.meta.url);

export interface MigrationResult {
  applied: string[];
  alreadyApplied: string[];
}

export type MigrateOptions = Omit<DdlOptions, 'database'>;

export async function migrate(
  client: ClickHouseClient,
  database: string,
  options: MigrateOptions = {},
): Promise<MigrationResult> {
  const ddl: DdlOptions = { ...options, database };
  validateDdlOptions(ddl);
  await client.command({ query: createDatabaseStatement(ddl) });
  // Kept per node: re-running a migration on another node is harmless (every statement is IF NOT EXISTS).
  await client.command({
    query: `CREATE TABLE IF NOT EXISTS ${database}.schema_migrations (version String, applied_at DateTime64(3, 'UTC') DEFAULT now64(3)) ENGINE = MergeTree ORDER BY version`,
  });
  const done = new Set(
    (
      await (
        await client.query({
          query: `SELECT version FROM ${database}.schema_migrations`,
          format: 'JSONEachRow',
        })
      ).json<{ version: string }>()
    ).map((r) => r.version),
  );
  const result: MigrationResult = { applied: [], alreadyApplied: [] };
  for (const { version, text } of await readMigrations()) {
    if (done.has(version)) {
      result.alreadyApplied.push(version);
      continue;
    }
    for (const statement of renderMigration(text, ddl)) {
      await client.command({ query: statement });
    }
    await client.command({
      query: `INSERT INTO ${database}.schema_migrations (version) VALUES ({version:String})`,
      query_params: { version },
      // chDB keeps per-query settings for the session: a token left by an earlier insert must not
      // make this one look like a duplicate.
      clickhouse_settings: { insert_deduplication_token: `migration-${database}-${version}` },
    });
    result.applied.push(version);
  }
  await applyTtls(client, ddl);
  return result;
}

/** Brings the tables' TTLs to the configured days when they were set and differ (a setting changed). */
async function applyTtls(client: ClickHouseClient, ddl: DdlOptions): Promise<void> {
  const wanted: [string, number | undefined][] = [
    ...TTL_TABLES.raw.map((t): [string, number | undefined] => [t, ddl.rawTtlDays]),
    ...TTL_TABLES.aggregate.map((t): [string, number | undefined] => [t, ddl.aggregateTtlDays]),
  ];
  if (wanted.every(([, days]) => days === undefined)) return;
  const suffix = ddl.cluster === undefined ? '' : '_local';
  const tables = await (
    await client.query({
      query: `SELECT name, create_table_query FROM system.tables WHERE database = {db:String}`,
      query_params: { db: ddl.database },
      format: 'JSONEachRow',
    })
  ).json<{ name: string; create_table_query: string }>();
  const create = new Map(tables.map((t) => [t.name, t.create_table_query]));
  for (const [table, days] of wanted) {
    const query = create.get(table + suffix);
    if (days === undefined || query === undefined) continue;
    const statement = ttlChange(ddl, table, query, days);
    if (statement) await client.command({ query: statement });
  }
}

/** The migration files in order, as text (DDL tests render them without a store). */
export async function readMigrations(): Promise<{ version: string; text: string }[]> {
  const files = (await readdir(MIGRATIONS_DIR)).filter((f) => f.endsWith('.sql')).sort();
  return Promise.all(
    files.map(async (file) => ({
      version: file.replace(/\.sql$/, ''),
      text: await readFile(new URL(file, MIGRATIONS_DIR), 'utf8'),
    })),
  );
}
