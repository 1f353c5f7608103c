/**
 * The template variables of both boards. `$service`, `$surface`, `$customer` and `$model` are
 * multi-value with "All" and no custom all value, so "All" reaches the SQL as an array that
 * `$__conditionalAll` turns into `1=1` (GRAFANA.md 1.5). Each list is narrowed by the ones before it.
 *
 * @module
 */

import {
  DatasourceVariableBuilder,
  QueryVariableBuilder,
  VariableRefresh,
  VariableSort,
} from '@grafana/grafana-foundation-sdk/dashboard';
import { CLICKHOUSE_PLUGIN_ID, DATASOURCE_REF } from './clickhouse-query.ts';
import { MODEL_EXPR } from './filters.ts';

export interface VariableSpec {
  name: 'service' | 'surface' | 'customer' | 'model';
  label: string;
  description: string;
  sql: string;
}

const window = '$__timeFilter(ts)';
const byService = '$__conditionalAll(service IN ($service), $service)';
const bySurface = '$__conditionalAll(surface IN ($surface), $surface)';

export const VARIABLES: readonly VariableSpec[] = [
  {
    name: 'service',
    label: 'Service',
    description: 'The OpenTelemetry service.name of the instrumented application.',
    sql: `SELECT DISTINCT service FROM llm_calls WHERE ${window} ORDER BY service`,
  },
  {
    name: 'surface',
    label: 'Surface',
    description: 'The AI feature (costline.surface); calls outside any action are "unattributed".',
    sql: `SELECT DISTINCT surface FROM llm_calls WHERE ${window} AND ${byService} ORDER BY surface`,
  },
  {
    name: 'customer',
    label: 'Customer',
    description: 'The customer the action served (costline.customer.id).',
    sql: `SELECT DISTINCT customer FROM llm_calls WHERE ${window} AND ${byService} AND ${bySurface} ORDER BY customer`,
  },
  {
    name: 'model',
    label: 'Model',
    description:
      'The model a call ran on (response model, else request model). Narrows cost, calls and tokens; action counts have no model. With models selected, panels read the raw calls instead of the per-minute aggregate.',
    sql: `SELECT DISTINCT ${MODEL_EXPR} AS model FROM llm_calls WHERE ${window} AND NOT app_cache_hit AND ${byService} AND ${bySurface} ORDER BY model`,
  },
];

export function datasourceVariable(): DatasourceVariableBuilder {
  return new DatasourceVariableBuilder('datasource')
    .label('Data source')
    .type(CLICKHOUSE_PLUGIN_ID)
    .regex('')
    .description('A grafana-clickhouse-datasource connection to the Costline database.');
}

export function queryVariable(spec: VariableSpec): QueryVariableBuilder {
  return new QueryVariableBuilder(spec.name)
    .label(spec.label)
    .description(spec.description)
    .datasource(DATASOURCE_REF)
    .query({ editorType: 'sql', rawSql: spec.sql, format: 1 })
    .definition(spec.sql)
    .multi(true)
    .includeAll(true)
    .refresh(VariableRefresh.OnTimeRangeChanged)
    .sort(VariableSort.AlphabeticalAsc);
}
