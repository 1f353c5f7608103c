/**
 * The per-minute aggregate has no model dimension. So that `$model` still narrows every panel, an
 * aggregate panel's SQL is the aggregate query when `$model` is All and its raw-table twin when
 * models are selected: `$__conditionalAll(0, $model)` is `1=1` for All and `0` otherwise, so
 * exactly one branch of the UNION reads anything (a constant-false WHERE reads no part). The
 * same switch outside each branch drops the one row an aggregate without GROUP BY returns on no
 * input, so a stat still gets exactly one row.
 *
 * @module
 */

import { ACTION_DIMS } from './filters.ts';
import type { PanelSpec } from './panel-spec.ts';

/** True when `$model` is All (or nothing is selected). */
export const MODEL_IS_ALL = '$__conditionalAll(0, $model)';

// Every filter fragment (aggregate and raw) contains ACTION_DIMS, so the switch goes next to it.
const gate = (sql: string, condition: string): string =>
  sql.replaceAll(ACTION_DIMS, `${ACTION_DIMS} AND ${condition}`);

export function withModelFallback(spec: PanelSpec): PanelSpec {
  if (!spec.scanSql) return spec;
  return {
    ...spec,
    sql: `SELECT * FROM (
${gate(spec.sql, MODEL_IS_ALL)}
) WHERE ${MODEL_IS_ALL}
UNION ALL
SELECT * FROM (
${gate(spec.scanSql, `NOT (${MODEL_IS_ALL})`)}
) WHERE NOT (${MODEL_IS_ALL})`,
  };
}
