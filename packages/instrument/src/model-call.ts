/**
 * The life of one model call's span, shared by the SDK patches: started before the SDK runs (or,
 * when the SDK may trace the call itself, only once it is known that it did not), given the
 * response's attributes or the error's type, and ended exactly once.
 *
 * @module
 */

import { context, diag, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import type { Attributes, Context, Span, Tracer } from '@opentelemetry/api';
import {
  COSTLINE_RETRY_ATTEMPT,
  ERROR_TYPE,
  GEN_AI_RESPONSE_TIME_TO_FIRST_CHUNK,
  HTTP_REQUEST_RESEND_COUNT,
  HTTP_RESPONSE_STATUS_CODE,
} from '@costline/semconv';
import { actionIn } from './action-context.ts';
import { newCall, startedInThisProvider, withCall, type CallInFlight } from './call-context.ts';
import { errorStatus, errorType } from './error-type.ts';
import { resendCount } from './fetch-tap.ts';
import { standaloneCall, type CallRecord } from './retry-tracker.ts';

export interface ModelCallSpec {
  readonly provider: string;
  readonly operation: string;
  readonly model: string | undefined;
  /** Request attributes, on the span from its start (for samplers). */
  readonly attributes: Attributes;
  /** Scope prefix of the SDK's own spans when the SDK may trace this call itself. */
  readonly nativeScope?: string;
  /** Of `attributes`, the keys to add to the SDK's own span (what it does not record itself). */
  readonly nativeKeys?: readonly string[];
}

export interface ModelCall {
  /** The context to run the SDK method in: the call (and our span, when started) is active. */
  readonly context: Context;
  readonly inFlight: CallInFlight;
  /** Our span, when we record the call; undefined when the SDK's own span does. */
  readonly span: Span | undefined;
  /** Starts our span now (back-dated to the call's start) unless the SDK's own span records it. */
  startUnlessNative(): void;
  /**
   * Takes `span`, the SDK's own span for this call started before the patched method ran (by a
   * stream helper), as the call's native span, and stamps what Costline knows of the call on it.
   * Ignored for a span that did not start in the provider Costline's span processor is on.
   */
  adoptNative(span: Span): void;
  /** Marks the first streamed chunk, for `gen_ai.response.time_to_first_chunk`. */
  firstChunk(): void;
  succeed(attributes: Attributes): void;
  fail(error: unknown, attributes?: Attributes): void;
}

/** Starts tracking a call in the active context; `eager` starts our span right away. */
export function beginModelCall(tracer: Tracer, spec: ModelCallSpec, eager: boolean): ModelCall {
  const parent = context.active();
  const state = actionIn(parent);
  const record: CallRecord = state
    ? state.retries.begin(spec.provider, spec.model ?? '')
    : standaloneCall(spec.provider, spec.model ?? '');
  const nativeAttributes: Attributes = { [COSTLINE_RETRY_ATTEMPT]: record.attempt };
  if (spec.nativeKeys) {
    for (const key of spec.nativeKeys) {
      const value = spec.attributes[key];
      if (value !== undefined) nativeAttributes[key] = value;
    }
  }
  const inFlight = newCall(nativeAttributes, spec.nativeScope);
  const startMs = performance.timeOrigin + performance.now();
  let span: Span | undefined;
  let ended = false;
  let firstChunkMs: number | undefined;

  // `spec.attributes` is the patch's own object, made for this call: completed in place.
  const startAttributes = spec.attributes as Record<string, unknown>;
  startAttributes[COSTLINE_RETRY_ATTEMPT] = record.attempt;
  const start = (): Span =>
    tracer.startSpan(
      spec.model ? `${spec.operation} ${spec.model}` : spec.operation,
      { kind: SpanKind.CLIENT, startTime: startMs, attributes: spec.attributes },
      parent,
    );
  if (eager) span = start();

  const finish = (attributes: Attributes, error: unknown, failed: boolean): void => {
    if (ended) return;
    ended = true;
    record.failed = failed;
    try {
      record.durationMs = performance.timeOrigin + performance.now() - startMs;
      const resends = resendCount(inFlight.attempts);
      if (state && resends !== undefined) {
        const lost =
          inFlight.resendMs ??
          (inFlight.firstAttemptMs !== undefined && inFlight.lastAttemptMs !== undefined
            ? inFlight.lastAttemptMs - inFlight.firstAttemptMs
            : 0);
        state.retries.resent(resends, lost);
      }
    } catch (problem) {
      diag.debug('@costline/instrument: could not count retries', problem);
    }
    if (!span) return;
    try {
      // `attributes` is the patch's own object, made for this call: completed in place.
      const end = attributes as Record<string, unknown>;
      const resends = resendCount(inFlight.attempts);
      if (resends !== undefined) end[HTTP_REQUEST_RESEND_COUNT] = resends;
      if (firstChunkMs !== undefined)
        end[GEN_AI_RESPONSE_TIME_TO_FIRST_CHUNK] = (firstChunkMs - startMs) / 1000;
      span.setAttributes(attributes);
      if (failed) {
        const type = errorType(error);
        const status = errorStatus(error);
        span.setAttributes({
          [ERROR_TYPE]: type,
          ...(status !== undefined ? { [HTTP_RESPONSE_STATUS_CODE]: status } : undefined),
        });
        span.setStatus({ code: SpanStatusCode.ERROR, message: type });
      }
      span.end();
    } catch (problem) {
      diag.debug('@costline/instrument: could not end a model-call span', problem);
    }
  };

  const call: ModelCall = {
    get context() {
      return withCall(span ? trace.setSpan(parent, span) : parent, inFlight);
    },
    inFlight,
    get span() {
      return span;
    },
    startUnlessNative() {
      if (!span && !inFlight.nativeSpan && !ended) span = start();
    },
    adoptNative(native) {
      if (span || inFlight.nativeSpan || !startedInThisProvider(native)) return;
      inFlight.nativeSpan = native;
      native.setAttributes(inFlight.nativeAttributes);
    },
    firstChunk() {
      firstChunkMs ??= performance.timeOrigin + performance.now();
    },
    succeed(attributes) {
      finish(attributes, undefined, false);
    },
    fail(error, attributes = {}) {
      finish(attributes, error, true);
    },
  };
  return call;
}
