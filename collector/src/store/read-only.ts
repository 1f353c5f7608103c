/**
 * Read-only SQL for `POST /api/query` and the CLI's store commands.
 *
 * A ClickHouse server takes `readonly = 1` per request. chDB's connection cannot: it turns every
 * per-query setting into a session-wide `SET`, so `readonly = 1` would stay on for every later query
 * of the process — the collector's own inserts included — and could not be turned off again. So a
 * query is admitted only when it is one statement of a reading kind, checked here for both stores,
 * and the server additionally gets `readonly = 1`.
 *
 * @module
 */

const READING_STATEMENTS = new Set(['SELECT', 'WITH', 'SHOW', 'DESCRIBE', 'DESC', 'EXPLAIN', 'EXISTS']);

export class ReadOnlyQueryError extends Error {
  readonly code = 'QUERY_NOT_READ_ONLY';
}

/**
 * Throws unless `sql` is a single reading statement (SELECT, WITH, SHOW, DESCRIBE, EXPLAIN, EXISTS)
 * of the store's own data: no table function or `file()` reaching outside it, no `INTO OUTFILE`.
 */
export function assertReadOnlySql(sql: string): void {
  const body = stripComments(sql).trim().replace(/;\s*$/, '');
  if (body === '') throw new ReadOnlyQueryError('the query is empty');
  if (hasStatementSeparator(body)) throw new ReadOnlyQueryError('only one statement per query');
  const first = /^\(*\s*([A-Za-z]+)/.exec(body)?.[1]?.toUpperCase() ?? '';
  if (!READING_STATEMENTS.has(first)) {
    throw new ReadOnlyQueryError(
      `only reading statements are allowed here (${[...READING_STATEMENTS].join(', ')}), got ${JSON.stringify(first || body.slice(0, 20))}`,
    );
  }
  assertNoExternalAccess(body);
}

/**
 * Table functions (and the scalar `file`) that reach outside Costline's own tables: the file
 * system, URLs, object stores, other databases, other servers, programs. `readonly = 1` does not
 * stop them, and chDB gets no per-query readonly at all, so they are refused by name. The list is
 * the engine's `system.table_functions` (ClickHouse 26.7) minus the ones that only generate or read
 * local tables (numbers, zeros, values, null, view, merge, generateRandom, …).
 */
const EXTERNAL_FUNCTIONS = new Set(
  [
    'arrowstream',
    'azureBlobStorage',
    'azureBlobStorageCluster',
    'cluster',
    'clusterAllReplicas',
    'cosn',
    'deltaLake',
    'deltaLakeAzure',
    'deltaLakeAzureCluster',
    'deltaLakeCluster',
    'deltaLakeLocal',
    'deltaLakeS3',
    'deltaLakeS3Cluster',
    'eval',
    'executable',
    'file',
    'fileCluster',
    'filesystem',
    'gcs',
    'hdfs',
    'hdfsCluster',
    'hudi',
    'hudiCluster',
    'iceberg',
    'icebergAzure',
    'icebergAzureCluster',
    'icebergCluster',
    'icebergHDFS',
    'icebergHDFSCluster',
    'icebergLocal',
    'icebergLocalCluster',
    'icebergS3',
    'icebergS3Cluster',
    'input',
    'jdbc',
    'mongodb',
    'mysql',
    'odbc',
    'oss',
    'paimon',
    'paimonAzure',
    'paimonAzureCluster',
    'paimonCluster',
    'paimonHDFS',
    'paimonHDFSCluster',
    'paimonLocal',
    'paimonS3',
    'paimonS3Cluster',
    'postgresql',
    'prometheusQuery',
    'prometheusQueryRange',
    'redis',
    'remote',
    'remoteSecure',
    's3',
    's3Cluster',
    'sqlite',
    'url',
    'urlCluster',
    'ytsaurus',
  ].map((n) => n.toLowerCase()),
);

/** Throws when `sql` calls a function that reaches outside the store, or writes a file. */
export function assertNoExternalAccess(sql: string): void {
  const code = blankQuoted(stripComments(sql));
  for (const m of code.matchAll(/([A-Za-z_][A-Za-z0-9_]*)\s*\(/g)) {
    const name = m[1] ?? '';
    if (EXTERNAL_FUNCTIONS.has(name.toLowerCase())) {
      throw new ReadOnlyQueryError(`${name}() reaches outside Costline's tables and is not allowed here`);
    }
  }
  if (/\bINTO\s+OUTFILE\b/i.test(code)) throw new ReadOnlyQueryError('INTO OUTFILE is not allowed here');
}

/** `sql` with the insides of string literals blanked (quoted identifiers keep their names). */
function blankQuoted(sql: string): string {
  let out = '';
  let quote: string | undefined;
  for (let i = 0; i < sql.length; i++) {
    const ch = sql[i] ?? '';
    if (quote) {
      if (ch === '\\') {
        out += quote === "'" ? '  ' : ch + (sql[i + 1] ?? '');
        i++;
      } else if (ch === quote) {
        quote = undefined;
        out += ch;
      } else out += quote === "'" ? ' ' : ch;
    } else {
      if (ch === "'" || ch === '"' || ch === '`') quote = ch;
      out += ch;
    }
  }
  return out;
}

/** Per-query settings that make the query read-only where that is per query (a server), else none. */
export function readOnlySettings(server: boolean): { readonly: '1' } | undefined {
  return server ? { readonly: '1' } : undefined;
}

function stripComments(sql: string): string {
  return sql.replace(/\/\*[\s\S]*?\*\//g, ' ').replace(/--[^\n]*/g, ' ');
}

/** A `;` outside string literals and quoted identifiers. */
function hasStatementSeparator(sql: string): boolean {
  let quote: string | undefined;
  for (let i = 0; i < sql.length; i++) {
    const ch = sql[i];
    if (quote) {
      if (ch === '\\') i++;
      else if (ch === quote) quote = undefined;
    } else if (ch === "'" || ch === '"' || ch === '`') quote = ch;
    else if (ch === ';') return true;
  }
  return false;
}
