export { CLICKHOUSE_PLUGIN_ID, DATASOURCE_REF, QUERY_FORMAT, clickHouseQuery } from './clickhouse-query.ts';
export type { ClickHouseQuery, QueryFormat } from './clickhouse-query.ts';
export {
  ACTION_DIMS,
  ACTION_FILTER,
  AGG_FILTER,
  CALL_DIMS,
  CALL_FILTER,
  LONG_CONTEXT_TOKENS,
  MANY_CALLS,
  MODEL_EXPR,
} from './filters.ts';
export { UNIT } from './panel-spec.ts';
export type { PanelKind, PanelSpec, Unit } from './panel-spec.ts';
export { VARIABLES, datasourceVariable, queryVariable } from './variables.ts';
export type { VariableSpec } from './variables.ts';
export {
  COST_PER_SUCCESS_SCAN_SQL,
  COST_PER_SUCCESS_SQL,
  OVERVIEW_PANELS,
  weekOverWeekScanSql,
  weekOverWeekSql,
} from './overview-panels.ts';
export { SURFACE_PANELS } from './surface-panels.ts';
export { MODEL_IS_ALL, withModelFallback } from './model-fallback.ts';
export { buildDashboard } from './build-dashboard.ts';
export type { BoardSpec } from './build-dashboard.ts';
export { BOARDS, OVERVIEW_BOARD, SURFACE_BOARD } from './boards.ts';
export {
  AlertOptionError,
  DATASOURCE_UID,
  DEFAULT_ALERT_OPTIONS,
  alertProvisioning,
  alertRules,
} from './alert-rules.ts';
export type { AlertOptions, AlertRuleSpec } from './alert-rules.ts';
export { GENERATED_FILES, generatedFiles } from './generate.ts';
