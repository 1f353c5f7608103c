/**
 * Applies the versioned `.sql` migrations in `collector/migrations/` in order, once each, recording
 * them in `<db>.schema_migrations`.
 *
 * @module
 */

import { readdir, readFile } from 'node:fs/promises';
import type { ClickHouseClient } from '@clickhouse/client';

const MIGRATIONS_DIR = new URL('../../migrations/', import.meta.url);
const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;

export interface MigrationResult {
  applied: string[];
  alreadyApplied: string[];
}

export async function migrate(client: ClickHouseClient, database: string): Promise<MigrationResult> {
  if (!IDENTIFIER.test(database))
    throw new Error(`CLICKHOUSE_DATABASE ${JSON.stringify(database)} is not a plain identifier`);
  await client.command({ query: `CREATE DATABASE IF NOT EXISTS ${database}` });
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
  const files = (await readdir(MIGRATIONS_DIR)).filter((f) => f.endsWith('.sql')).sort();
  const result: MigrationResult = { applied: [], alreadyApplied: [] };
  for (const file of files) {
    const version = file.replace(/\.sql$/, '');
    if (done.has(version)) {
      result.alreadyApplied.push(version);
      continue;
    }
    const text = await readFile(new URL(file, MIGRATIONS_DIR), 'utf8');
    for (const statement of splitStatements(text.replaceAll('{db}', database))) {
      await client.command({ query: statement });
    }
    await client.insert({
      table: `${database}.schema_migrations`,
      values: [{ version }],
      format: 'JSONEachRow',
    });
    result.applied.push(version);
  }
  return result;
}

/** Splits a migration file on `;` at the end of a line, dropping comment-only chunks. */
export function splitStatements(sql: string): string[] {
  return sql
    .split(/;\s*$/m)
    .map((s) =>
      s
        .split('\n')
        .filter((l) => !l.trim().startsWith('--'))
        .join('\n')
        .trim(),
    )
    .filter((s) => s.length > 0);
}
