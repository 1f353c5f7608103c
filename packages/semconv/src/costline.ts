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
 * or `outcome` (a late outcome: the verdict on an action that already ended, see below).
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

/**
 * A late outcome (`recordOutcome(actionId, outcome, reason)`) is its own short span, in whatever
 * trace is current when it is recorded, with `costline.span.kind = outcome` and:
 * - `costline.action.id` — the action it judges (required);
 * - `costline.action.outcome` — `success` | `failure` | `unknown` (required);
 * - `costline.action.failure_reason` — on a failure, when given;
 * - `costline.action.trace_id` — the action's trace id (32 lowercase hex), when known; the span then
 *   also links to the action span;
 * - `costline.surface` / `costline.customer.id` — when given (never taken from an enclosing action).
 * The span's end time is when the outcome was decided. The latest outcome for an action wins over
 * the one its action span carried. Outcome spans carry no usage and are not model calls.
 */
export const COSTLINE_ACTION_TRACE_ID = 'costline.action.trace_id';

/** True on an action or call answered from the application's own cache. */
export const COSTLINE_APP_CACHE_HIT = 'costline.app_cache.hit';
/** The model the cache hit (or early exit) replaced, for its avoided cost. */
export const COSTLINE_APP_CACHE_AVOIDED_MODEL = 'costline.app_cache.avoided_model';
export const COSTLINE_APP_CACHE_AVOIDED_PROVIDER = 'costline.app_cache.avoided_provider';
/** The rule that answered an action without a model call. */
export const COSTLINE_EARLY_EXIT_RULE = 'costline.early_exit.rule';

/**
 * On the action span: retries within the action — app-level retries (a call repeated after it
 * failed) plus the SDKs' own resends (`http.request.resend_count`) — and the time they cost in ms
 * (failed calls that were retried, and an SDK's back-off and failed attempts). Set when > 0.
 */
export const COSTLINE_ACTION_RETRIES = 'costline.action.retries';
export const COSTLINE_ACTION_RETRY_MS = 'costline.action.retry_ms';

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
