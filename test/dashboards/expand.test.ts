/**
 * The plugin-faithful expander itself (GRAFANA.md 1.4–1.5), on the cases the plugin's code
 * decides: the `$__conditionalAll` argument split at depth 1, `${var}` and `$var` names, All and an
 * empty selection as `1=1`, the default formatter (quoted, comma-joined, no escaping), and the
 * backend macros' exact text.
 *
 * @module
 */

import { describe, expect, it } from 'vitest';
import {
  applyConditionalAll,
  expandBackendMacros,
  expandPanelSql,
  replaceVariables,
} from './support/expand.ts';
import type { ExpandContext } from './support/expand.ts';

const ctx = (variables: ExpandContext['variables']): ExpandContext => ({
  from: new Date('2026-11-01T00:00:00.900Z'),
  to: new Date('2026-11-08T00:00:00Z'),
  intervalMs: 20_500,
  variables,
});

describe('$__conditionalAll', () => {
  it('keeps the condition for a selection and gives 1=1 for All or nothing selected', () => {
    const sql =
      'WHERE $__conditionalAll(surface IN ($surface), $surface) AND $__conditionalAll(m IN (${model}), ${model})';
    expect(
      applyConditionalAll(sql, {
        surface: { selected: ['chat'], options: ['chat', 'search'] },
        model: { selected: 'all', options: ['a'] },
      }),
    ).toBe('WHERE surface IN ($surface) AND 1=1');
    expect(
      applyConditionalAll(sql, {
        surface: { selected: [], options: [] },
        model: { selected: ['a'], options: [] },
      }),
    ).toBe('WHERE 1=1 AND m IN (${model})');
  });

  it('splits arguments at depth 1 only, so commas inside functions stay in the condition', () => {
    const sql = "$__conditionalAll(if(a != '', a, b) IN ($model), $model)";
    expect(applyConditionalAll(sql, { model: { selected: ['x'], options: [] } })).toBe(
      "if(a != '', a, b) IN ($model)",
    );
  });
});

describe('template variables with the plugin formatter', () => {
  it('quotes and joins a multi-value selection and expands All to every option', () => {
    const v = {
      surface: { selected: ['chat', 'search'], options: [] },
      model: { selected: 'all' as const, options: ['a', 'b'] },
    };
    expect(replaceVariables('IN ($surface) AND IN (${model})', v)).toBe(
      "IN ('chat','search') AND IN ('a','b')",
    );
  });

  it('leaves macros and unknown variables alone', () => {
    expect(replaceVariables('$__timeFilter(ts) AND $other', {})).toBe('$__timeFilter(ts) AND $other');
  });
});

describe('backend macros', () => {
  it('expand to the plugin text (whole seconds, interval at least 1 s)', () => {
    const c = ctx({});
    expect(expandBackendMacros('$__timeFilter(ts)', c)).toBe(
      'ts >= toDateTime(1793491200) AND ts <= toDateTime(1794096000)',
    );
    expect(expandBackendMacros('$__timeInterval(minute)', c)).toBe(
      'toStartOfInterval(toDateTime(minute), INTERVAL 20 second)',
    );
    expect(expandBackendMacros('$__toTime - INTERVAL 7 DAY', c)).toBe(
      'toDateTime(1794096000) - INTERVAL 7 DAY',
    );
    expect(expandBackendMacros('$__interval_s', { ...c, intervalMs: 200 })).toBe('1');
  });

  it('leave an unknown macro in place, for ClickHouse to reject', () => {
    expect(expandBackendMacros('$__timeGroup(ts, 1h)', ctx({}))).toBe('$__timeGroup(ts, 1h)');
  });

  it('run after the frontend steps', () => {
    const sql = 'SELECT 1 WHERE $__timeFilter(ts) AND $__conditionalAll(surface IN ($surface), $surface)';
    expect(expandPanelSql(sql, ctx({ surface: { selected: ['a'], options: ['a'] } }))).toBe(
      "SELECT 1 WHERE ts >= toDateTime(1793491200) AND ts <= toDateTime(1794096000) AND surface IN ('a')",
    );
  });
});
