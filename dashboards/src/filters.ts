/**
 * The WHERE fragments every panel shares. Multi-value variables are always wrapped in
 * `$__conditionalAll`, so "All" costs no `IN (…every value…)` list and an empty selection matches
 * everything (GRAFANA.md 1.5). Actions are selected by their start time and calls by their own
 * time (Contracts: windows).
 *
 * @module
 */

/** The model a call ran on: the response's when the provider reported one, else the requested one. */
export const MODEL_EXPR = "if(response_model != '', response_model, request_model)";

const service = '$__conditionalAll(service IN ($service), $service)';
const surface = '$__conditionalAll(surface IN ($surface), $surface)';
const customer = '$__conditionalAll(customer IN ($customer), $customer)';
const model = `$__conditionalAll(${MODEL_EXPR} IN ($model), $model)`;

/** Variable filters of `actions` rows. Actions carry no model: `$model` narrows call panels only. */
export const ACTION_DIMS = `${service} AND ${surface} AND ${customer}`;

/** Variable filters of `llm_calls` rows. */
export const CALL_DIMS = `${service} AND ${surface} AND ${customer} AND ${model}`;

/**
 * Rows of the per-minute aggregate `surface_minute` in the panel's time range: actions bucketed by
 * start minute, calls by their own minute. It has service, surface and customer, not the model.
 */
export const AGG_FILTER = `$__timeFilter(minute) AND ${ACTION_DIMS}`;

/** Actions that started in the panel's time range. */
export const ACTION_FILTER = `$__timeFilter(ts) AND ${ACTION_DIMS}`;

/** Calls made in the panel's time range. */
export const CALL_FILTER = `$__timeFilter(ts) AND ${CALL_DIMS}`;

/** Anthropic's long-context tier starts above 200K input tokens; such calls cost twice per token. */
export const LONG_CONTEXT_TOKENS = 200_000;

/** An action with this many model calls or more is flagged as a loop or a retry storm. */
export const MANY_CALLS = 3;
