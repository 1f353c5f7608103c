/**
 * The span processor that attributes every span started inside an action: it stamps the action's
 * surface, id and customer on spans of any instrumentation (HTTP, databases, the Anthropic SDK's own
 * spans), read from the action in the parent context when the span starts.
 *
 * It also notices the span an LLM SDK starts natively for a call Costline is tracking, so that
 * call gets no second span from Costline (see `anthropic-messages.ts`), and gives that native span
 * what Costline knows of the call that the SDK does not record (app-level retry attempt, system
 * prompt size).
 *
 * @module
 */

import { diag, type Context } from '@opentelemetry/api';
import type { ReadableSpan, Span, SpanProcessor } from '@opentelemetry/sdk-trace';
import { actionAttributes, actionIn } from './action-context.ts';
import { callIn, noteStarted } from './call-context.ts';

/** Scope-name prefix of the Anthropic SDK's own spans (as `ANTHROPIC_NATIVE_SCOPE`). */
const ANTHROPIC_NATIVE_SCOPE_PREFIX = 'com.anthropic.sdk';

/** Creates the processor; add it to a TracerProvider before the exporting processor. */
export function createCostlineSpanProcessor(): SpanProcessor {
  return {
    onStart(span: Span, parentContext: Context): void {
      try {
        // Only the Anthropic SDK's own spans can stand in for a call (see `adoptNative`).
        if (span.instrumentationScope.name.startsWith(ANTHROPIC_NATIVE_SCOPE_PREFIX)) noteStarted(span);
        const state = actionIn(parentContext);
        if (state) span.setAttributes(actionAttributes(state));
        const call = callIn(parentContext);
        if (
          call?.nativeScope &&
          !call.nativeSpan &&
          span.instrumentationScope.name.startsWith(call.nativeScope)
        ) {
          call.nativeSpan = span;
          span.setAttributes(call.nativeAttributes);
        }
      } catch (error) {
        diag.debug('@costline/instrument: could not stamp a span', error);
      }
    },
    onEnd(_span: ReadableSpan): void {},
    forceFlush(): Promise<void> {
      return Promise.resolve();
    },
    shutdown(): Promise<void> {
      return Promise.resolve();
    },
  };
}
