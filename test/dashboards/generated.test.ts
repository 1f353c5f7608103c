/**
 * The committed dashboard JSON and alert YAML are what the TypeScript generates (run
 * `pnpm dashboards` after changing dashboards/src), and they hold the rules Grafana and the
 * ClickHouse plugin need: data source only through `${datasource}`, unique panel ids, every panel
 * described and with a unit, every variable it uses defined, multi-value variables only inside
 * `$__conditionalAll`, only the macros that expand alike in every 4.x plugin, monthly panels by
 * calendar month, alert SQL free of dashboard variables.
 *
 * @module
 */

import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import {
  AlertOptionError,
  DATASOURCE_UID,
  DEFAULT_ALERT_OPTIONS,
  GENERATED_FILES,
  alertRules,
  generatedFiles,
} from '@costline/dashboards';
import { applyConditionalAll } from './support/expand.ts';

const dashboardsDir = resolve(dirname(fileURLToPath(import.meta.url)), '../../dashboards');

interface Target {
  datasource: { type: string; uid: string };
  rawSql: string;
  editorType: string;
  format: number;
}
interface Panel {
  id: number;
  type: string;
  title: string;
  description?: string;
  datasource: { type: string; uid: string };
  gridPos: { x: number; y: number; w: number; h: number };
  fieldConfig: { defaults: { unit?: string } };
  targets: Target[];
}
interface Dashboard {
  uid: string;
  title: string;
  templating: {
    list: { name: string; type: string; multi?: boolean; query?: unknown; includeAll?: boolean }[];
  };
  panels: Panel[];
}

describe('generated files', () => {
  it('are committed exactly as dashboards/src generates them (run `pnpm dashboards`)', () => {
    for (const [path, content] of generatedFiles()) {
      expect(readFileSync(join(dashboardsDir, path), 'utf8'), `dashboards/${path} is stale`).toBe(content);
    }
  });
});

const boards = [GENERATED_FILES.overview, GENERATED_FILES.surface].map(
  (p) => JSON.parse(readFileSync(join(dashboardsDir, p), 'utf8')) as Dashboard,
);

describe.each(boards)('board $title', (board) => {
  const vars = new Map(board.templating.list.map((v) => [v.name, v]));

  it('reaches the data source only through ${datasource} and has unique panel ids on the grid', () => {
    expect(vars.get('datasource')?.type).toBe('datasource');
    const ids = board.panels.map((p) => p.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const p of board.panels) {
      expect(p.datasource).toEqual({ type: 'grafana-clickhouse-datasource', uid: '${datasource}' });
      for (const t of p.targets) expect(t.datasource.uid).toBe('${datasource}');
      expect(p.gridPos.x + p.gridPos.w, p.title).toBeLessThanOrEqual(24);
    }
  });

  it('describes every panel and gives it a unit', () => {
    for (const p of board.panels) {
      expect(p.description?.length ?? 0, p.title).toBeGreaterThan(20);
      expect(p.fieldConfig.defaults.unit, p.title).toMatch(
        /^(currencyUSD|ms|percentunit|short|suffix: tokens)$/,
      );
    }
  });

  it('has the four multi-value variables with All', () => {
    for (const name of ['service', 'surface', 'customer', 'model']) {
      expect(vars.get(name), name).toMatchObject({ type: 'query', multi: true, includeAll: true });
    }
  });

  it('uses defined variables only, multi-value ones only inside $__conditionalAll, and portable macros', () => {
    const sqls = [
      ...board.panels.flatMap((p) => p.targets.map((t) => t.rawSql)),
      ...board.templating.list.flatMap((v) =>
        typeof v.query === 'object' && v.query !== null ? [(v.query as { rawSql: string }).rawSql] : [],
      ),
    ];
    for (const sql of sqls) {
      for (const m of sql.matchAll(/\$\{?(\w+)/g)) {
        const name = m[1] ?? '';
        if (name.startsWith('__')) {
          expect(['__timeFilter', '__timeInterval', '__toTime', '__conditionalAll'], sql).toContain(name);
        } else expect(vars.has(name), `$${name} in ${sql}`).toBe(true);
      }
      // With every variable on a concrete selection removed by $__conditionalAll as "All", no
      // variable may remain: an unwrapped multi-value IN list would break on "All".
      const all = Object.fromEntries(
        ['service', 'surface', 'customer', 'model'].map((n) => [
          n,
          { selected: 'all' as const, options: [] },
        ]),
      );
      expect(applyConditionalAll(sql, all), sql).not.toMatch(/\$(service|surface|customer|model)\b/);
      expect(sql).not.toMatch(/\bcount\(\)\s+AS|FINAL\b/);
    }
  });

  it('buckets monthly panels by calendar month', () => {
    for (const p of board.panels.filter((x) => /month/i.test(x.title))) {
      for (const t of p.targets) {
        expect(t.rawSql).toMatch(/toStartOfMonth\((ts|minute)\)/);
        expect(t.rawSql).not.toContain('$__timeInterval');
      }
    }
  });
});

describe('alert rules', () => {
  const doc = parse(readFileSync(join(dashboardsDir, GENERATED_FILES.alerts), 'utf8')) as {
    apiVersion: number;
    groups: {
      rules: {
        uid: string;
        condition: string;
        data: {
          refId: string;
          datasourceUid: string;
          model: { rawSql?: string; conditions?: { evaluator: { params: number[] } }[] };
        }[];
      }[];
    }[];
  };
  const rules = doc.groups.flatMap((g) => g.rules);

  it('provision both rules on the pinned data source with their thresholds', () => {
    expect(doc.apiVersion).toBe(1);
    expect(rules.map((r) => r.uid)).toEqual(['costline-cost-per-success-wow', 'costline-failed-cost-share']);
    const thresholds = rules.map((r) => r.data.find((d) => d.refId === r.condition)?.model.conditions?.[0]);
    expect(thresholds.map((t) => t?.evaluator.params[0])).toEqual([
      DEFAULT_ALERT_OPTIONS.costPerSuccessRisePct,
      DEFAULT_ALERT_OPTIONS.failedCostSharePct,
    ]);
    for (const r of rules) expect(r.data[0]?.datasourceUid).toBe(DATASOURCE_UID);
  });

  it('use no dashboard variables and no frontend macros (alerts never pass the frontend)', () => {
    for (const r of rules) {
      const sql = r.data[0]?.model.rawSql ?? '';
      expect(sql.length).toBeGreaterThan(0);
      expect(sql).not.toMatch(/\$/);
    }
  });

  it('take the configured percentages, and reject a bad one naming it', () => {
    const custom = alertRules({ ...DEFAULT_ALERT_OPTIONS, costPerSuccessRisePct: 35 });
    expect(custom[0]?.threshold).toBe(35);
    expect(() => alertRules({ ...DEFAULT_ALERT_OPTIONS, failedCostSharePct: -1 })).toThrow(AlertOptionError);
    expect(() => alertRules({ ...DEFAULT_ALERT_OPTIONS, failedCostSharePct: -1 })).toThrow(
      /failedCostSharePct/,
    );
  });
});
