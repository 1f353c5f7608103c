/**
 * The short span of an answer served without a model call, from the application's cache or by a
 * rule: the collector writes it as a zero-cost call with the cost of the call it avoided.
 *
 * @module
 */

import { diag, SpanKind, trace } from '@opentelemetry/api';
import {
  COSTLINE_APP_CACHE_AVOIDED_MODEL,
  COSTLINE_APP_CACHE_AVOIDED_PROVIDER,
  COSTLINE_APP_CACHE_HIT,
  COSTLINE_EARLY_EXIT_RULE,
  COSTLINE_INSTRUMENTATION_SCOPE,
  COSTLINE_SPAN_KIND,
  COSTLINE_SPAN_KIND_VALUE,
} from '@costline/semconv';
import { actionAttributes, type ActionState } from './action-context.ts';
import { VERSION } from './version.ts';

/** The model call an answer replaced, so the collector can price what was avoided. */
export interface AvoidedCall {
  /** e.g. `gpt-4o-mini`, `claude-sonnet-4-5`. */
  avoidedModel?: string;
  /** A `gen_ai.provider.name` value: `openai`, `anthropic`, … */
  avoidedProvider?: string;
}

/** Emits the span in the active context (the action's). */
export function emitAppCacheSpan(state: ActionState, avoided: AvoidedCall, rule: string | undefined): void {
  try {
    const tracer = trace.getTracer(COSTLINE_INSTRUMENTATION_SCOPE, VERSION);
    const span = tracer.startSpan(`app_cache ${state.surface}`, { kind: SpanKind.INTERNAL });
    span.setAttributes({
      ...actionAttributes(state),
      [COSTLINE_SPAN_KIND]: COSTLINE_SPAN_KIND_VALUE.appCache,
      [COSTLINE_APP_CACHE_HIT]: true,
      ...(avoided.avoidedModel !== undefined
        ? { [COSTLINE_APP_CACHE_AVOIDED_MODEL]: avoided.avoidedModel }
        : undefined),
      ...(avoided.avoidedProvider !== undefined
        ? { [COSTLINE_APP_CACHE_AVOIDED_PROVIDER]: avoided.avoidedProvider }
        : undefined),
      ...(rule !== undefined ? { [COSTLINE_EARLY_EXIT_RULE]: rule } : undefined),
    });
    span.end();
  } catch (error) {
    diag.debug('@costline/instrument: could not record an app-cache span', error);
  }
}
