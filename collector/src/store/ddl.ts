/**
 * Renders a migration's text for one node or for a cluster, from the same `.sql` files.
 *
 * Single node: `{db}` becomes the database and the TTL placeholders become `TTL …` clauses (or
 * nothing). Cluster mode (users who outgrow one node) rewrites each statement:
 * - `CREATE TABLE db.t … ENGINE = XMergeTree` → `db.t_local ON CLUSTER c … ENGINE =
 *   ReplicatedXMergeTree('/clickhouse/tables/{shard}/db/t_local', '{replica}')`, plus a
 *   `Distributed` table under the public name `db.t`, so every documented query keeps working;
 * - materialized views read and write the `_local` tables, so each shard aggregates its own rows.
 *
 * Raw tables are sharded by `cityHash64(trace_id)`: an action and its calls (and their correction
 * rows) land on one shard. Aggregates are only read through the Distributed table.
 *
 * @module
 */

export interface DdlOptions {
  database: string;
  /** Days raw rows (`llm_calls`, `actions`) are kept; 0 keeps them for ever. @default 0 */
  rawTtlDays?: number;
  /** Days aggregate rows are kept; 0 keeps them for ever. @default 0 */
  aggregateTtlDays?: number;
  /** Cluster name from the server's `remote_servers`; unset for one node. */
  cluster?: string | undefined;
}

export class DdlOptionsError extends Error {
  readonly code = 'DDL_OPTIONS_INVALID';
}

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;
const CREATE_TABLE = /^CREATE TABLE IF NOT EXISTS (\w+)\.(\w+)\s*\(/;
const CREATE_MV = /^CREATE MATERIALIZED VIEW IF NOT EXISTS (\w+)\.(\w+) TO (\w+)\.(\w+) AS/;
const SHARDING_KEY: Record<string, string> = {
  llm_calls: 'cityHash64(trace_id)',
  actions: 'cityHash64(trace_id)',
};

export function validateDdlOptions(options: DdlOptions): void {
  if (!IDENTIFIER.test(options.database))
    throw new DdlOptionsError(
      `CLICKHOUSE_DATABASE ${JSON.stringify(options.database)} is not a plain identifier`,
    );
  if (options.cluster !== undefined && !IDENTIFIER.test(options.cluster))
    throw new DdlOptionsError(
      `COSTLINE_CLICKHOUSE_CLUSTER ${JSON.stringify(options.cluster)} is not a plain identifier`,
    );
  for (const [key, value] of [
    ['COSTLINE_TTL_DAYS', options.rawTtlDays],
    ['COSTLINE_AGG_TTL_DAYS', options.aggregateTtlDays],
  ] as const) {
    if (value !== undefined && (!Number.isInteger(value) || value < 0))
      throw new DdlOptionsError(`${key} must be a whole number of days (0 = keep), got ${String(value)}`);
  }
}

/** The statements of one migration file, rendered for the options. */
export function renderMigration(text: string, options: DdlOptions): string[] {
  validateDdlOptions(options);
  const filled = text
    .replaceAll('{raw_ttl}', ttlClause('ts', options.rawTtlDays))
    .replaceAll('{agg_ttl}', ttlClause('minute', options.aggregateTtlDays))
    .replaceAll('{db}', options.database);
  const statements = splitStatements(filled);
  const cluster = options.cluster;
  if (cluster === undefined) return statements;
  return statements.flatMap((s) => clusterStatements(s, cluster));
}

/** `CREATE DATABASE` for the options (ON CLUSTER in cluster mode). */
export function createDatabaseStatement(options: DdlOptions): string {
  validateDdlOptions(options);
  return `CREATE DATABASE IF NOT EXISTS ${options.database}${onCluster(options.cluster)}`;
}

/** The tables whose TTL each setting governs. */
export const TTL_TABLES = {
  raw: ['llm_calls', 'actions'],
  aggregate: ['surface_minute', 'model_minute'],
} as const;

/**
 * The statement bringing a table's TTL to `days` (0 removes it), or undefined when `createQuery`
 * (from system.tables) already has it. TTLs change after creation when the setting changes.
 */
export function ttlChange(
  options: DdlOptions,
  table: string,
  createQuery: string,
  days: number,
): string | undefined {
  const current = /\bTTL\b[^\n]*?toIntervalDay\((\d+)\)/.exec(createQuery)?.[1];
  const currentDays = current === undefined ? 0 : Number(current);
  if (currentDays === days) return undefined;
  const name = `${options.database}.${table}${options.cluster === undefined ? '' : '_local'}`;
  const column = (TTL_TABLES.raw as readonly string[]).includes(table) ? 'ts' : 'minute';
  return days === 0
    ? `ALTER TABLE ${name}${onCluster(options.cluster)} REMOVE TTL`
    : `ALTER TABLE ${name}${onCluster(options.cluster)} MODIFY ${ttlClause(column, days)}`;
}

function ttlClause(column: string, days: number | undefined): string {
  if (!days) return '';
  const time = column === 'ts' ? 'toDateTime(ts)' : column;
  return `TTL ${time} + INTERVAL ${days} DAY DELETE`;
}

function onCluster(cluster: string | undefined): string {
  return cluster === undefined ? '' : ` ON CLUSTER ${cluster}`;
}

function clusterStatements(statement: string, cluster: string): string[] {
  const table = CREATE_TABLE.exec(statement);
  if (table) {
    const [, db, name] = table as unknown as [string, string, string];
    const local = `${name}_local`;
    const body = statement
      .replace(CREATE_TABLE, `CREATE TABLE IF NOT EXISTS ${db}.${local}${onCluster(cluster)}\n(`)
      .replace(
        /ENGINE = (\w*)MergeTree\b(\(\))?/,
        (_m, kind: string) =>
          `ENGINE = Replicated${kind}MergeTree('/clickhouse/tables/{shard}/${db}/${local}', '{replica}')`,
      )
      // Replicated tables deduplicate inserts by themselves (replicated_deduplication_window).
      .replace(/\n?SETTINGS non_replicated_deduplication_window = \d+/, '');
    const distributed =
      `CREATE TABLE IF NOT EXISTS ${db}.${name}${onCluster(cluster)} AS ${db}.${local}\n` +
      `ENGINE = Distributed(${cluster}, ${db}, ${local}, ${SHARDING_KEY[name] ?? 'rand()'})`;
    return [body, distributed];
  }
  const mv = CREATE_MV.exec(statement);
  if (mv) {
    const [, db, name, toDb, target] = mv as unknown as [string, string, string, string, string];
    return [
      statement
        .replace(
          CREATE_MV,
          `CREATE MATERIALIZED VIEW IF NOT EXISTS ${db}.${name}${onCluster(cluster)} TO ${toDb}.${target}_local AS`,
        )
        .replace(/\bFROM (\w+)\.(\w+)( AS \w+)?\s*$/m, 'FROM $1.$2_local$3'),
    ];
  }
  throw new DdlOptionsError(
    `cluster mode cannot rewrite this statement: ${JSON.stringify(statement.slice(0, 60))}`,
  );
}

/** Splits a migration file on `;` at the end of a line, dropping comment lines. */
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
