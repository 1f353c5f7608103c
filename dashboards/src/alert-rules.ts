/**
 * Grafana alert rules (file provisioning): cost per successful action up more than a percentage
 * week over week, and the failed-action share of cost above a threshold, each per surface.
 *
 * Alert queries run in Grafana's backend only: no `$__conditionalAll`, no dashboard variables
 * (GRAFANA.md 1.5), and `now()` instead of the panel range. A table result with one numeric column
 * and a `surface` column is one alert instance per surface.
 *
 * @module
 */

import { CLICKHOUSE_PLUGIN_ID, QUERY_FORMAT } from './clickhouse-query.ts';
import { weekOverWeekSql } from './overview-panels.ts';

/** The uid the provisioned data source pins (provisioning/datasources/costline.yaml). */
export const DATASOURCE_UID = 'costline-clickhouse';

export interface AlertOptions {
  /** Fire when cost per successful action rose more than this many percent week over week. */
  costPerSuccessRisePct: number;
  /** Fire when failed actions' calls are more than this percent of the surface's cost. */
  failedCostSharePct: number;
  /** Window of the failed-cost share, in hours. */
  failedCostWindowHours: number;
}

export const DEFAULT_ALERT_OPTIONS: AlertOptions = {
  costPerSuccessRisePct: 20,
  failedCostSharePct: 25,
  failedCostWindowHours: 24,
};

export interface AlertRuleSpec {
  uid: string;
  title: string;
  /** Numeric column compared with the threshold. */
  valueColumn: string;
  threshold: number;
  /** Seconds of history the query reads (the rule's relative time range). */
  lookbackSeconds: number;
  sql: string;
  summary: string;
}

export function alertRules(options: AlertOptions = DEFAULT_ALERT_OPTIONS): AlertRuleSpec[] {
  for (const [key, value] of Object.entries(options)) {
    if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
      throw new AlertOptionError(key, value);
    }
  }
  const wow = weekOverWeekSql('now()', '1 = 1');
  return [
    {
      uid: 'costline-cost-per-success-wow',
      title: 'Cost per successful action up week over week',
      valueColumn: 'change_pct',
      threshold: options.costPerSuccessRisePct,
      lookbackSeconds: 14 * 86_400,
      sql: `SELECT surface, round((toFloat64(this_week_usd) / toFloat64(last_week_usd) - 1) * 100, 4) AS change_pct
FROM (${wow})
WHERE this_week_usd IS NOT NULL AND last_week_usd > 0`,
      summary: `Cost per successful action on {{ $labels.surface }} rose {{ $values.A }}% over the last 7 days against the 7 before (threshold ${options.costPerSuccessRisePct}%).`,
    },
    {
      uid: 'costline-failed-cost-share',
      title: 'Failed-action cost share high',
      valueColumn: 'failed_cost_share_pct',
      threshold: options.failedCostSharePct,
      lookbackSeconds: options.failedCostWindowHours * 3600,
      sql: `SELECT surface,
       round(toFloat64(sumIf(cost_usd, action_outcome = 'failure')) / toFloat64(sum(cost_usd)) * 100, 4) AS failed_cost_share_pct
FROM llm_calls WHERE ts > now() - INTERVAL ${options.failedCostWindowHours} HOUR
GROUP BY surface HAVING sum(cost_usd) > 0`,
      summary: `{{ $values.A }}% of the cost on {{ $labels.surface }} in the last ${options.failedCostWindowHours}h went to failed actions (threshold ${options.failedCostSharePct}%).`,
    },
  ];
}

export class AlertOptionError extends Error {
  readonly code = 'COSTLINE_ALERT_OPTION';
  constructor(key: string, value: unknown) {
    super(`alert option ${key} must be a non-negative number, got ${JSON.stringify(value)}`);
    this.name = 'AlertOptionError';
  }
}

/** The provisioning document (`apiVersion: 1`, one rule group) for the given rules. */
export function alertProvisioning(rules: readonly AlertRuleSpec[]): Record<string, unknown> {
  return {
    apiVersion: 1,
    groups: [
      {
        orgId: 1,
        name: 'costline',
        folder: 'Costline',
        interval: '1h',
        rules: rules.map((r) => ({
          uid: r.uid,
          title: r.title,
          condition: 'B',
          data: [
            {
              refId: 'A',
              relativeTimeRange: { from: r.lookbackSeconds, to: 0 },
              datasourceUid: DATASOURCE_UID,
              model: {
                refId: 'A',
                datasource: { type: CLICKHOUSE_PLUGIN_ID, uid: DATASOURCE_UID },
                editorType: 'sql',
                format: QUERY_FORMAT.table,
                rawSql: r.sql,
              },
            },
            {
              refId: 'B',
              datasourceUid: '__expr__',
              model: {
                refId: 'B',
                datasource: { type: '__expr__', uid: '__expr__' },
                type: 'threshold',
                expression: 'A',
                conditions: [{ evaluator: { type: 'gt', params: [r.threshold] } }],
              },
            },
          ],
          noDataState: 'OK',
          execErrState: 'Error',
          for: '1h',
          annotations: { summary: r.summary },
          labels: { source: 'costline' },
          isPaused: false,
        })),
      },
    ],
  };
}
