/**
 * What a panel is, independent of the SDK: its SQL (with the plugin's macros and variables, as
 * stored in the dashboard JSON), its visualisation, units and size. Tests and the benchmark run
 * `sql` through the plugin's expansion; the board builder turns specs into SDK panels.
 *
 * @module
 */

import type { QueryFormat } from './clickhouse-query.ts';

export type PanelKind = 'stat' | 'table' | 'timeseries' | 'piechart' | 'barchart';

/** Grafana unit ids used here. `suffix: tokens` is Grafana's custom-suffix unit. */
export const UNIT = {
  usd: 'currencyUSD',
  ms: 'ms',
  tokens: 'suffix: tokens',
  ratio: 'percentunit',
  count: 'short',
} as const;
export type Unit = (typeof UNIT)[keyof typeof UNIT];

export interface PanelSpec {
  /** Stable snake_case name: benchmark metric `dashboard.panel_ms.<key>`. */
  key: string;
  title: string;
  description: string;
  kind: PanelKind;
  format: QueryFormat;
  /** The panel's main unit. */
  unit: Unit;
  /** Units of other columns, by column name. */
  columnUnits?: Record<string, Unit>;
  sql: string;
  /**
   * For a panel that reads the per-minute aggregates: the same numbers from the raw tables. The
   * benchmark times both; the tests check both give the plan's numbers. The aggregate has no model,
   * so the board runs this twin when models are selected (model-fallback.ts).
   */
  scanSql?: string;
  /** Grid width (of 24) and height. */
  w: number;
  h: number;
  /** Panel-relative time range (e.g. `7d`), for panels whose window is fixed by definition. */
  timeFrom?: string;
  /** Minimum `$__timeInterval` bucket (e.g. `1d`). */
  interval?: string;
  /** Column a stat or pie reduces (regex anchored by the builder). */
  valueField?: string;
}
