/**
 * `action(surface, fn)`: runs one user job on a surface inside an action span, so every model call,
 * retry and cache hit inside it is attributed to the surface, and the application's verdict
 * (success, failure, unknown) becomes the action's outcome.
 *
 * @module
 */

import { context, diag, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import type { Span } from '@opentelemetry/api';
import {
  ACTION_OUTCOME,
  COSTLINE_ACTION_FAILURE_REASON,
  COSTLINE_ACTION_OUTCOME,
  COSTLINE_ACTION_RETRIES,
  COSTLINE_ACTION_RETRY_MS,
  COSTLINE_APP_CACHE_HIT,
  COSTLINE_CUSTOMER_ID,
  COSTLINE_EARLY_EXIT_RULE,
  COSTLINE_INSTRUMENTATION_SCOPE,
  COSTLINE_SPAN_KIND,
  COSTLINE_SPAN_KIND_VALUE,
  type ActionOutcome,
} from '@costline/semconv';
import { actionAttributes, actionIn, withAction, type ActionState } from './action-context.ts';
import { emitAppCacheSpan, type AvoidedCall } from './app-cache-span.ts';
import { errorType } from './error-type.ts';
import { createRetryTracker } from './retry-tracker.ts';
import { VERSION } from './version.ts';

export interface ActionOptions {
  /** The end customer (tenant, account) this action serves. */
  customer?: string;
}

/** What the code inside an action can say about it. Calls after the action ended are ignored. */
export interface Action {
  /** The action's id: its span id, 16 lowercase hex (or 16 zeros when tracing is off). */
  readonly id: string;
  /** The action's trace id, 32 lowercase hex: pass it to `recordOutcome` to link a late outcome. */
  readonly traceId: string;
  success(): void;
  /** Marks the action failed; `reason` is a short, stable code (never user content). */
  fail(reason: string): void;
  /** The answer came from the application's own cache: no model call, the avoided model recorded. */
  cacheHit(options?: AvoidedCall): void;
  /** A rule answered without a model call (e.g. `empty-input`, `faq-match`). */
  earlyExit(rule: string, options?: AvoidedCall): void;
  setCustomer(id: string): void;
}

interface Marks {
  outcome: ActionOutcome | undefined;
  reason: string | undefined;
  answered: boolean;
  earlyExitRule: string | undefined;
  ended: boolean;
}

/**
 * Runs `fn` inside an action span on `surface` and returns what `fn` returns (a promise is
 * followed to its end). A throw or a rejection is a failure named by the error's class, and is
 * passed on unchanged. An explicit `success()`/`fail()` wins; a cache hit or an early exit is a
 * success unless `fail()` was called; otherwise the outcome is `unknown`.
 */
export function action<T>(surface: string, fn: (action: Action) => T, options: ActionOptions = {}): T {
  const parent = context.active();
  const tracer = trace.getTracer(COSTLINE_INSTRUMENTATION_SCOPE, VERSION);
  const span = tracer.startSpan(`action ${surface}`, { kind: SpanKind.INTERNAL }, parent);
  const state: ActionState = {
    id: span.spanContext().spanId,
    surface,
    // A nested action serves the same customer unless told otherwise.
    customer: options.customer ?? actionIn(parent)?.customer,
    retries: createRetryTracker(),
  };
  // Set after start, so an enclosing action's stamp (from the span processor) is overwritten.
  span.setAttributes({ [COSTLINE_SPAN_KIND]: COSTLINE_SPAN_KIND_VALUE.action, ...actionAttributes(state) });
  const marks: Marks = {
    outcome: undefined,
    reason: undefined,
    answered: false,
    earlyExitRule: undefined,
    ended: false,
  };
  const ctx = withAction(trace.setSpan(parent, span), state);
  const handle = createHandle(span, state, marks, ctx);

  let result: T;
  try {
    result = context.with(ctx, fn, undefined, handle);
  } catch (error) {
    endAction(span, state, marks, error, true);
    throw error;
  }
  if (isThenable(result)) {
    return result.then(
      (value) => {
        endAction(span, state, marks, undefined, false);
        return value;
      },
      (error: unknown) => {
        endAction(span, state, marks, error, true);
        throw error;
      },
    ) as T;
  }
  endAction(span, state, marks, undefined, false);
  return result;
}

function createHandle(
  span: Span,
  state: ActionState,
  marks: Marks,
  ctx: ReturnType<typeof context.active>,
): Action {
  const open = (what: string): boolean => {
    if (marks.ended) diag.warn(`@costline/instrument: ${what}() called after action ${state.surface} ended`);
    return !marks.ended;
  };
  return {
    id: state.id,
    traceId: span.spanContext().traceId,
    success() {
      if (open('success')) marks.outcome = ACTION_OUTCOME.success;
    },
    fail(reason) {
      if (!open('fail')) return;
      marks.outcome = ACTION_OUTCOME.failure;
      marks.reason = reason;
    },
    cacheHit(avoided = {}) {
      if (!open('cacheHit')) return;
      marks.answered = true;
      context.with(ctx, () => emitAppCacheSpan(state, avoided, undefined));
    },
    earlyExit(rule, avoided = {}) {
      if (!open('earlyExit')) return;
      marks.answered = true;
      marks.earlyExitRule = rule;
      context.with(ctx, () => emitAppCacheSpan(state, avoided, rule));
    },
    setCustomer(id) {
      if (!open('setCustomer')) return;
      state.customer = id;
      span.setAttribute(COSTLINE_CUSTOMER_ID, id);
    },
  };
}

function endAction(span: Span, state: ActionState, marks: Marks, error: unknown, threw: boolean): void {
  if (marks.ended) return;
  marks.ended = true;
  try {
    let outcome = marks.outcome ?? (threw ? ACTION_OUTCOME.failure : undefined);
    let reason = marks.outcome === undefined && threw ? errorType(error) : marks.reason;
    if (outcome === undefined && marks.answered) outcome = ACTION_OUTCOME.success;
    outcome ??= ACTION_OUTCOME.unknown;
    if (outcome !== ACTION_OUTCOME.failure) reason = undefined;
    span.setAttributes({
      ...actionAttributes(state),
      [COSTLINE_ACTION_OUTCOME]: outcome,
      ...(reason !== undefined ? { [COSTLINE_ACTION_FAILURE_REASON]: reason } : undefined),
      ...(marks.answered ? { [COSTLINE_APP_CACHE_HIT]: true } : undefined),
      ...retryAttributes(state),
      ...(marks.earlyExitRule !== undefined
        ? { [COSTLINE_EARLY_EXIT_RULE]: marks.earlyExitRule }
        : undefined),
    });
    if (outcome === ACTION_OUTCOME.failure) span.setStatus({ code: SpanStatusCode.ERROR, message: reason });
    span.end();
  } catch (problem) {
    diag.debug('@costline/instrument: could not end an action span', problem);
  }
}

function retryAttributes(state: ActionState) {
  const { retries, retryMs } = state.retries.totals();
  return retries > 0
    ? { [COSTLINE_ACTION_RETRIES]: retries, [COSTLINE_ACTION_RETRY_MS]: Math.round(retryMs) }
    : undefined;
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (
    (typeof value === 'object' || typeof value === 'function') &&
    value !== null &&
    typeof (value as { then?: unknown }).then === 'function'
  );
}
