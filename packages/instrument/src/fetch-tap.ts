/**
 * Counts the HTTP attempts an SDK client makes for one call, so its own retries (after a 429 or a
 * 5xx) show as `http.request.resend_count` on the call's span.
 *
 * The OpenAI and Anthropic SDKs send every attempt through the client instance's `fetch` property,
 * read afresh per attempt, so wrapping that property once per client sees every attempt. The call
 * is found through the OpenTelemetry context, which the SDK's async request chain carries, so
 * concurrent calls on one client are counted apart. The wrapper only counts: the request, the
 * response and any error pass through untouched.
 *
 * @module
 */

import { context, diag } from '@opentelemetry/api';
import { callIn, type CallInFlight } from './call-context.ts';

const TAPPED = Symbol.for('@costline/instrument.fetch-tap');

type FetchLike = ((this: unknown, ...args: unknown[]) => unknown) & { [TAPPED]?: true };

/** Wraps `client.fetch` once; a client without a `fetch` function is left alone. */
export function tapClientFetch(client: unknown): void {
  try {
    if (typeof client !== 'object' || client === null) return;
    const holder = client as { fetch?: unknown };
    const original = holder.fetch;
    if (typeof original !== 'function' || (original as FetchLike)[TAPPED]) return;
    const tapped: FetchLike = function (this: unknown, ...args: unknown[]): unknown {
      const call = callIn(context.active());
      if (call) noteAttempt(call);
      return (original as FetchLike).apply(this, args);
    };
    tapped[TAPPED] = true;
    holder.fetch = tapped;
  } catch (error) {
    diag.debug('@costline/instrument: could not tap the client fetch', error);
  }
}

/** Key of the request option that carries the call in flight to the client's `makeRequest`. */
export const CALL_OPTION = Symbol.for('@costline/instrument.call');
const REQUESTS_TAPPED = Symbol.for('@costline/instrument.request-tap');

/**
 * Counts attempts without running the SDK call inside a context (which would switch on
 * AsyncLocalStorage's promise hooks for the whole process, the largest cost an instrumentation can
 * add): the call rides along in the request options under `CALL_OPTION` (a symbol, so it is never
 * serialised or sent), which the SDK spreads into the options that each attempt's
 * `buildRequest(options, { retryCount })` receives, its retries included. `withCallOption` makes
 * the options; this wraps `buildRequest` once per client (synchronous: no promise is added).
 */
export function tapClientRequests(client: unknown): void {
  try {
    if (typeof client !== 'object' || client === null) return;
    const holder = client as { buildRequest?: unknown; [REQUESTS_TAPPED]?: true };
    const original = holder.buildRequest;
    if (typeof original !== 'function' || holder[REQUESTS_TAPPED]) return;
    holder[REQUESTS_TAPPED] = true;
    holder.buildRequest = function (
      this: unknown,
      options: unknown,
      props: unknown,
      ...rest: unknown[]
    ): unknown {
      const call = (options as { [CALL_OPTION]?: CallInFlight } | null | undefined)?.[CALL_OPTION];
      if (call) {
        const retry = (props as { retryCount?: unknown } | null | undefined)?.retryCount;
        noteAttempt(call, typeof retry === 'number' ? retry + 1 : call.attempts + 1);
      }
      return (original as (...a: unknown[]) => unknown).call(this, options, props, ...rest);
    };
  } catch (error) {
    diag.debug('@costline/instrument: could not tap the client requests', error);
  }
}

/** The request options of a call, with the call in flight added under `CALL_OPTION`. */
export function withCallOption(options: unknown, call: CallInFlight): Record<string | symbol, unknown> {
  return { ...(typeof options === 'object' && options !== null ? options : undefined), [CALL_OPTION]: call };
}

function noteAttempt(call: CallInFlight, attempt = call.attempts + 1): void {
  if (attempt <= call.attempts) return;
  call.attempts = attempt;
  const now = performance.timeOrigin + performance.now();
  call.firstAttemptMs ??= now;
  call.lastAttemptMs = now;
}

/** `http.request.resend_count` for a call: attempts beyond the first, or undefined when none. */
export function resendCount(attempts: number): number | undefined {
  return attempts > 1 ? attempts - 1 : undefined;
}
