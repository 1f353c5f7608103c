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
import { actionIn, type ActionState } from './action-context.ts';
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

const NO_NATIVE_KEYS: readonly string[] = [];

/** Starts tracking a call in the active context; `eager` starts our span right away. */
export function beginModelCall(tracer: Tracer, spec: ModelCallSpec, eager: boolean): ModelCall {
  return new TrackedCall(tracer, spec, eager);
}

/** A class, not closures: one object per call, its methods shared (this runs on every call). */
class TrackedCall implements ModelCall {
  readonly inFlight: CallInFlight;
  private readonly tracer: Tracer;
  private readonly spec: ModelCallSpec;
  private readonly parent: Context;
  private readonly state: ActionState | undefined;
  private readonly record: CallRecord;
  private readonly startMs: number;
  private current: Span | undefined;
  private ended = false;
  private firstChunkMs: number | undefined;

  constructor(tracer: Tracer, spec: ModelCallSpec, eager: boolean) {
    this.tracer = tracer;
    this.spec = spec;
    this.parent = context.active();
    this.state = actionIn(this.parent);
    const model = spec.model ?? '';
    this.record = this.state
      ? this.state.retries.begin(spec.provider, model)
      : standaloneCall(spec.provider, model);
    const nativeAttributes: Record<string, unknown> = { [COSTLINE_RETRY_ATTEMPT]: this.record.attempt };
    for (const key of spec.nativeKeys ?? NO_NATIVE_KEYS) {
      const value = spec.attributes[key];
      if (value !== undefined) nativeAttributes[key] = value;
    }
    this.inFlight = newCall(nativeAttributes, spec.nativeScope);
    // `spec.attributes` is the patch's own object, made for this call: completed in place.
    (spec.attributes as Record<string, unknown>)[COSTLINE_RETRY_ATTEMPT] = this.record.attempt;
    this.startMs = performance.timeOrigin + performance.now();
    if (eager) this.current = this.start();
  }

  get context(): Context {
    return withCall(this.current ? trace.setSpan(this.parent, this.current) : this.parent, this.inFlight);
  }

  get span(): Span | undefined {
    return this.current;
  }

  startUnlessNative(): void {
    if (!this.current && !this.inFlight.nativeSpan && !this.ended) this.current = this.start();
  }

  adoptNative(native: Span): void {
    if (this.current || this.inFlight.nativeSpan || !startedInThisProvider(native)) return;
    this.inFlight.nativeSpan = native;
    native.setAttributes(this.inFlight.nativeAttributes);
  }

  firstChunk(): void {
    this.firstChunkMs ??= performance.timeOrigin + performance.now();
  }

  succeed(attributes: Attributes): void {
    this.finish(attributes, undefined, false);
  }

  fail(error: unknown, attributes: Attributes = {}): void {
    this.finish(attributes, error, true);
  }

  private start(): Span {
    const { operation, model, attributes } = this.spec;
    return this.tracer.startSpan(
      model ? `${operation} ${model}` : operation,
      { kind: SpanKind.CLIENT, startTime: this.startMs, attributes },
      this.parent,
    );
  }

  private finish(attributes: Attributes, error: unknown, failed: boolean): void {
    if (this.ended) return;
    this.ended = true;
    this.record.failed = failed;
    const inFlight = this.inFlight;
    const resends = resendCount(inFlight.attempts);
    try {
      this.record.durationMs = performance.timeOrigin + performance.now() - this.startMs;
      if (this.state && resends !== undefined) {
        const lost =
          inFlight.resendMs ??
          (inFlight.firstAttemptMs !== undefined && inFlight.lastAttemptMs !== undefined
            ? inFlight.lastAttemptMs - inFlight.firstAttemptMs
            : 0);
        this.state.retries.resent(resends, lost);
      }
    } catch (problem) {
      diag.debug('@costline/instrument: could not count retries', problem);
    }
    const span = this.current;
    if (!span) return;
    try {
      // `attributes` is the patch's own object, made for this call: completed in place.
      const end = attributes as Record<string, unknown>;
      if (resends !== undefined) end[HTTP_REQUEST_RESEND_COUNT] = resends;
      if (this.firstChunkMs !== undefined) {
        end[GEN_AI_RESPONSE_TIME_TO_FIRST_CHUNK] = (this.firstChunkMs - this.startMs) / 1000;
      }
      if (failed) {
        const type = errorType(error);
        const status = errorStatus(error);
        end[ERROR_TYPE] = type;
        if (status !== undefined) end[HTTP_RESPONSE_STATUS_CODE] = status;
        span.setAttributes(attributes);
        span.setStatus({ code: SpanStatusCode.ERROR, message: type });
      } else span.setAttributes(attributes);
      span.end();
    } catch (problem) {
      diag.debug('@costline/instrument: could not end a model-call span', problem);
    }
  }
}
