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

/** Throws unless `sql` is a single reading statement (SELECT, WITH, SHOW, DESCRIBE, EXPLAIN, EXISTS). */
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
