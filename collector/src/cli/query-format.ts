/**
 * The output format of `costline sql`: `--format`, or the query's own closing `FORMAT` clause (the
 * store appends the format it is asked for, so the clause is taken off the query), else a table.
 * Names are matched without regard to case and spelled as the collector's `/api/query` takes them.
 *
 * @module
 */

import { QUERY_FORMATS } from '../app/query-route.ts';
import { UsageError } from './usage-error.ts';

const TABLE = 'PrettyCompactMonoBlock';
const CLOSING_FORMAT = /\s+FORMAT\s+([A-Za-z][A-Za-z0-9_]*)\s*;?\s*$/i;

export interface ChosenFormat {
  /** The query, without its closing `FORMAT` clause. */
  query: string;
  format: string;
}

export function chooseFormat(query: string, flag: string | undefined): ChosenFormat {
  if (flag !== undefined && flag.trim() === '') throw new UsageError('--format: give a format name');
  const clause = closingFormat(query);
  const fromFlag = flag === undefined ? undefined : canonical(flag);
  const fromQuery = clause === undefined ? undefined : canonical(clause.name);
  if (fromFlag !== undefined && fromQuery !== undefined && fromFlag !== fromQuery) {
    throw new UsageError(`the query ends in FORMAT ${clause?.name} and --format asks for ${flag}: give one`);
  }
  return { query: clause?.query ?? query, format: fromFlag ?? fromQuery ?? TABLE };
}

/** `table`, or the collector's spelling of a format it takes, or the name as given. */
function canonical(name: string): string {
  const lower = name.toLowerCase();
  if (lower === 'table') return TABLE;
  return QUERY_FORMATS.find((f) => f.toLowerCase() === lower) ?? name;
}

/**
 * The query's closing `FORMAT name` clause, unless that text is inside a string or a comment:
 * an odd number of quotes before it, a `--` or `#` earlier on its line, an unclosed block comment.
 * When unsure it is left in the query (as before: the store then reports the syntax error).
 */
function closingFormat(query: string): { query: string; name: string } | undefined {
  const m = CLOSING_FORMAT.exec(query);
  if (!m?.[1]) return undefined;
  // What precedes the keyword itself (the match starts with the whitespace before it).
  const before = query.slice(0, m.index + m[0].toUpperCase().indexOf('FORMAT'));
  if ((before.match(/'/g)?.length ?? 0) % 2 === 1) return undefined;
  const line = before.slice(before.lastIndexOf('\n') + 1);
  if (line.includes('--') || line.includes('#')) return undefined;
  if (before.lastIndexOf('/*') > before.lastIndexOf('*/')) return undefined;
  return { query: query.slice(0, m.index), name: m[1] };
}
