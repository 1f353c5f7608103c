/**
 * `costline sql`'s output format: `--format`, or the query's own closing FORMAT clause, which is
 * taken off the query (the store appends the format it is asked for) — but never one inside a
 * string or a comment.
 */

import { describe, expect, it } from 'vitest';
import { chooseFormat } from '../src/cli/query-format.ts';

describe('costline sql format', () => {
  it('takes the closing FORMAT clause off the query, in any case, with or without a semicolon', () => {
    expect(chooseFormat('SELECT 1 FORMAT CSV', undefined)).toEqual({ query: 'SELECT 1', format: 'CSV' });
    expect(chooseFormat('select 1\n  format   jsoneachrow ;\n', undefined)).toEqual({
      query: 'select 1',
      format: 'JSONEachRow',
    });
    expect(chooseFormat('SELECT 1 FORMAT Markdown', undefined)).toEqual({
      query: 'SELECT 1',
      format: 'Markdown',
    });
  });

  it('is a table without either, and `table` names the same format as its ClickHouse name', () => {
    expect(chooseFormat('SELECT 1', undefined)).toEqual({
      query: 'SELECT 1',
      format: 'PrettyCompactMonoBlock',
    });
    expect(chooseFormat('SELECT 1', 'Table').format).toBe('PrettyCompactMonoBlock');
    expect(chooseFormat('SELECT 1 FORMAT PrettyCompactMonoBlock', 'table').format).toBe(
      'PrettyCompactMonoBlock',
    );
    // Spelled as the collector's /api/query takes it, whatever the case given.
    expect(chooseFormat('SELECT 1', 'csv').format).toBe('CSV');
  });

  it('leaves FORMAT that is text alone: in a string, a line comment, a block comment', () => {
    for (const query of [
      "SELECT 'a FORMAT CSV'",
      "SELECT 'it''s' AS s, 'x FORMAT CSV'",
      'SELECT 1 -- FORMAT CSV',
      'SELECT 1 # FORMAT CSV',
      'SELECT 1 /* FORMAT CSV',
    ]) {
      expect(chooseFormat(query, undefined), query).toEqual({ query, format: 'PrettyCompactMonoBlock' });
    }
    // A closed comment earlier does not hide a clause after it.
    expect(chooseFormat('SELECT 1 /* x */ FORMAT CSV', undefined).format).toBe('CSV');
    expect(chooseFormat('SELECT 1 -- x\nFORMAT CSV', undefined).format).toBe('CSV');
  });

  it('refuses a clause and a flag that disagree, and an empty flag', () => {
    expect(chooseFormat('SELECT 1 FORMAT CSV', 'csv')).toEqual({ query: 'SELECT 1', format: 'CSV' });
    expect(() => chooseFormat('SELECT 1 FORMAT CSV', 'JSONEachRow')).toThrow(
      'the query ends in FORMAT CSV and --format asks for JSONEachRow: give one',
    );
    expect(() => chooseFormat('SELECT 1 FORMAT CSV', 'table')).toThrow(/give one/);
    expect(() => chooseFormat('SELECT 1', '')).toThrow('--format: give a format name');
  });
});
