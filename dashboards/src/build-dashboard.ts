/**
 * Turns panel specs into a Grafana dashboard with the foundation SDK: variables, panels laid out
 * left to right on the 24-column grid, explicit ids (the SDK assigns none), units per column,
 * legends on (the SDK defaults them off) and "—" for a missing value.
 *
 * @module
 */

import type * as cog from '@grafana/grafana-foundation-sdk/cog';
import * as barchart from '@grafana/grafana-foundation-sdk/barchart';
import {
  BigValueColorMode,
  BigValueGraphMode,
  BigValueTextMode,
  LegendDisplayMode,
  LegendPlacement,
  ReduceDataOptionsBuilder,
  VizLegendOptionsBuilder,
} from '@grafana/grafana-foundation-sdk/common';
import {
  DashboardBuilder,
  DashboardCursorSync,
  DashboardLinkBuilder,
  DashboardLinkType,
} from '@grafana/grafana-foundation-sdk/dashboard';
import type { Dashboard } from '@grafana/grafana-foundation-sdk/dashboard';
import * as piechart from '@grafana/grafana-foundation-sdk/piechart';
import * as stat from '@grafana/grafana-foundation-sdk/stat';
import * as table from '@grafana/grafana-foundation-sdk/table';
import * as timeseries from '@grafana/grafana-foundation-sdk/timeseries';
import { clickHouseQuery, DATASOURCE_REF } from './clickhouse-query.ts';
import type { PanelSpec } from './panel-spec.ts';
import { datasourceVariable, queryVariable, VARIABLES } from './variables.ts';

export interface BoardSpec {
  uid: string;
  title: string;
  description: string;
  panels: readonly PanelSpec[];
  /** uid of the board the "Open" link goes to. */
  linkTo?: { uid: string; title: string };
}

type AnyPanelBuilder =
  | stat.PanelBuilder
  | table.PanelBuilder
  | timeseries.PanelBuilder
  | piechart.PanelBuilder
  | barchart.PanelBuilder;

const NO_VALUE = '—';

function legend(): VizLegendOptionsBuilder {
  return new VizLegendOptionsBuilder()
    .showLegend(true)
    .displayMode(LegendDisplayMode.List)
    .placement(LegendPlacement.Bottom)
    .calcs([]);
}

function valueReducer(field: string | undefined): ReduceDataOptionsBuilder {
  const r = new ReduceDataOptionsBuilder().values(true).calcs(['lastNotNull']);
  return field ? r.fields(`/^${field}$/`) : r;
}

function vizFor(spec: PanelSpec): AnyPanelBuilder {
  switch (spec.kind) {
    case 'stat':
      return new stat.PanelBuilder()
        .reduceOptions(valueReducer(spec.valueField))
        .graphMode(BigValueGraphMode.None)
        .colorMode(BigValueColorMode.None)
        .textMode(BigValueTextMode.ValueAndName);
    case 'table':
      return new table.PanelBuilder().showHeader(true);
    case 'timeseries':
      return new timeseries.PanelBuilder().legend(legend()).spanNulls(false);
    case 'piechart':
      return new piechart.PanelBuilder()
        .pieType(piechart.PieChartType.Donut)
        .displayLabels([piechart.PieChartLabels.Percent])
        .reduceOptions(valueReducer(spec.valueField))
        .legend(
          new piechart.PieChartLegendOptionsBuilder()
            .showLegend(true)
            .displayMode(LegendDisplayMode.Table)
            .placement(LegendPlacement.Right)
            .calcs([])
            .values([piechart.PieChartLegendValues.Value, piechart.PieChartLegendValues.Percent]),
        );
    case 'barchart':
      return new barchart.PanelBuilder().legend(legend()).xField('month');
  }
}

function panel(spec: PanelSpec, id: number, x: number, y: number): cog.Builder<unknown> {
  const p = vizFor(spec);
  p.id(id)
    .title(spec.title)
    .description(spec.description)
    .datasource(DATASOURCE_REF)
    .unit(spec.unit)
    .noValue(NO_VALUE)
    .gridPos({ x, y, w: spec.w, h: spec.h })
    .withTarget(clickHouseQuery(spec.sql, spec.format));
  if (spec.timeFrom) p.timeFrom(spec.timeFrom);
  if (spec.interval) p.interval(spec.interval);
  for (const [column, unit] of Object.entries(spec.columnUnits ?? {})) {
    p.overrideByName(column, [{ id: 'unit', value: unit }]);
  }
  return p;
}

export function buildDashboard(board: BoardSpec): Dashboard {
  const builder = new DashboardBuilder(board.title)
    .uid(board.uid)
    .description(board.description)
    .tags(['costline', 'llm-cost'])
    .editable()
    .time({ from: 'now-7d', to: 'now' })
    .refresh('5m')
    .timezone('utc')
    .tooltip(DashboardCursorSync.Crosshair)
    .withVariable(datasourceVariable());
  for (const v of VARIABLES) builder.withVariable(queryVariable(v));
  if (board.linkTo) {
    builder.link(
      new DashboardLinkBuilder(board.linkTo.title)
        .type(DashboardLinkType.Dashboards)
        .tags(['costline'])
        .asDropdown(false)
        .includeVars(true)
        .keepTime(true),
    );
  }
  let x = 0;
  let y = 0;
  let rowHeight = 0;
  board.panels.forEach((spec, i) => {
    if (x + spec.w > 24) {
      x = 0;
      y += rowHeight;
      rowHeight = 0;
    }
    builder.withPanel(panel(spec, i + 1, x, y) as Parameters<DashboardBuilder['withPanel']>[0]);
    x += spec.w;
    rowHeight = Math.max(rowHeight, spec.h);
  });
  return builder.build();
}
