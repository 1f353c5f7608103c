/**
 * Costline's own span attribute keys (`costline.*`) and their values.
 *
 * Context keys (surface, action id, customer) are stamped on every span started inside an action,
 * so spans from other instrumentations are attributed too. Action keys live on the action span only.
 *
 * @module
 */

/** The product feature an action or call belongs to, e.g. `support-answer`. */
export const COSTLINE_SURFACE = 'costline.surface';
/** The id of the action a span belongs to (the action span's own span id, 16 lowercase hex). */
export const COSTLINE_ACTION_ID = 'costline.action.id';
/** The end customer (tenant, account) the action serves. */
export const COSTLINE_CUSTOMER_ID = 'costline.customer.id';

/**
 * Marks a span as Costline's: `action` (an action span), `app_cache` (a call answered by the app),
 * or `outcome` — a late outcome: a span recorded after an action ended, carrying that action's
 * `costline.action.id`, `costline.action.outcome` and (on failure) `costline.action.failure_reason`.
 * The collector then corrects the stored action and its calls (cancel row + new fact row).
 */
export const COSTLINE_SPAN_KIND = 'costline.span.kind';
export const COSTLINE_SPAN_KIND_VALUE = {
  action: 'action',
  appCache: 'app_cache',
  outcome: 'outcome',
} as const;

/** `success` | `failure` | `unknown`, decided by the application. */
export const COSTLINE_ACTION_OUTCOME = 'costline.action.outcome';
export const COSTLINE_ACTION_FAILURE_REASON = 'costline.action.failure_reason';
export const ACTION_OUTCOME = { success: 'success', failure: 'failure', unknown: 'unknown' } as const;
export type ActionOutcome = (typeof ACTION_OUTCOME)[keyof typeof ACTION_OUTCOME];

/** True on an action or call answered from the application's own cache. */
export const COSTLINE_APP_CACHE_HIT = 'costline.app_cache.hit';
/** The model the cache hit (or early exit) replaced, for its avoided cost. */
export const COSTLINE_APP_CACHE_AVOIDED_MODEL = 'costline.app_cache.avoided_model';
export const COSTLINE_APP_CACHE_AVOIDED_PROVIDER = 'costline.app_cache.avoided_provider';
/** The rule that answered an action without a model call. */
export const COSTLINE_EARLY_EXIT_RULE = 'costline.early_exit.rule';

/** 0 for the first attempt of a model call, 1.. for retries (made by the SDK or by the app). */
export const COSTLINE_RETRY_ATTEMPT = 'costline.retry.attempt';
/** True when the provider sent no usage for a call that ran (e.g. a stream without include_usage). */
export const COSTLINE_USAGE_MISSING = 'costline.usage.missing';
/** Length in characters of the system prompt, for prompt-hygiene analysis (never its content). */
export const COSTLINE_SYSTEM_PROMPT_CHARS = 'costline.request.system_prompt_chars';
/** Explicit service tier (`standard` | `batch` | `flex` | `priority`) when the provider did not report one. */
export const COSTLINE_SERVICE_TIER = 'costline.service_tier';

/** Instrumentation scope name of `@costline/instrument`. */
export const COSTLINE_INSTRUMENTATION_SCOPE = '@costline/instrument';

/**
 * Attempts the SDK made beyond the first within one call (its own retries after 429/5xx), as the
 * HTTP semconv and the Anthropic SDK's own spans name it.
 */
export const HTTP_REQUEST_RESEND_COUNT = 'http.request.resend_count';

/**
 * Cost attributes the collector adds to model-call spans it forwards downstream
 * (`COSTLINE_FORWARD_ENDPOINT`): exact decimal strings in USD, never floats.
 */
export const COSTLINE_COST_USD = 'costline.cost.usd';
export const COSTLINE_COST_INPUT_USD = 'costline.cost.input_usd';
export const COSTLINE_COST_CACHE_READ_USD = 'costline.cost.cache_read_usd';
export const COSTLINE_COST_CACHE_WRITE_USD = 'costline.cost.cache_write_usd';
export const COSTLINE_COST_OUTPUT_USD = 'costline.cost.output_usd';
export const COSTLINE_COST_OTHER_USD = 'costline.cost.other_usd';
/** False when the model has no price (the cost attributes are then absent, never a silent 0). */
export const COSTLINE_COST_PRICED = 'costline.cost.priced';
/** Where the price came from (`genai-prices`, a price book) and its version. */
export const COSTLINE_COST_SOURCE = 'costline.cost.source';
export const COSTLINE_COST_VERSION = 'costline.cost.version';
