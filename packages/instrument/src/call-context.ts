/**
 * The model call in flight, carried in the OpenTelemetry context while the SDK runs it: the SDK's
 * HTTP attempts are counted against it (`http.request.resend_count`), and a span the SDK starts for
 * it natively (the Anthropic SDK's `anthropic.messages.create`) is noticed by the span processor.
 *
 * @module
 */

import { createContextKey, type Attributes, type Context, type Span } from '@opentelemetry/api';

/** What the patched SDK method and the code around the SDK's requests share about one call. */
export interface CallInFlight {
  /** HTTP attempts the SDK made for this call: 1 without retries. */
  attempts: number;
  /** When the first and the latest attempt started (ms, epoch), for the time lost to resends. */
  firstAttemptMs: number | undefined;
  lastAttemptMs: number | undefined;
  /** Time lost to resends when the SDK reports it itself (AWS `$metadata.totalRetryDelay`). */
  resendMs: number | undefined;
  /** What Costline knows beyond the SDK (retry attempt, system prompt size), stamped on a native span. */
  readonly nativeAttributes: Attributes;
  /** Scope prefix of the SDK's own spans, when the SDK may start one for this call. */
  readonly nativeScope: string | undefined;
  /** The SDK's own span for this call, when the span processor saw it start. */
  nativeSpan: Span | undefined;
}

const CALL_KEY = createContextKey('@costline/instrument.call');

export function withCall(ctx: Context, call: CallInFlight): Context {
  return ctx.setValue(CALL_KEY, call);
}

export function callIn(ctx: Context): CallInFlight | undefined {
  const value = ctx.getValue(CALL_KEY);
  return typeof value === 'object' && value !== null ? (value as CallInFlight) : undefined;
}

export function newCall(nativeAttributes: Attributes, nativeScope?: string): CallInFlight {
  return {
    attempts: 0,
    firstAttemptMs: undefined,
    lastAttemptMs: undefined,
    resendMs: undefined,
    nativeAttributes,
    nativeScope,
    nativeSpan: undefined,
  };
}

/**
 * Spans that Costline's span processor saw start, i.e. spans of the tracer provider that exports to
 * the collector. A native span started elsewhere (another provider) must not stand in for our own.
 */
const startedHere = new WeakSet<Span>();

export function noteStarted(span: Span): void {
  startedHere.add(span);
}

export function startedInThisProvider(span: Span): boolean {
  return startedHere.has(span);
}
