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
import { callIn } from './call-context.ts';

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
      if (call) {
        call.attempts += 1;
        const now = performance.timeOrigin + performance.now();
        call.firstAttemptMs ??= now;
        call.lastAttemptMs = now;
      }
      return (original as FetchLike).apply(this, args);
    };
    tapped[TAPPED] = true;
    holder.fetch = tapped;
  } catch (error) {
    diag.debug('@costline/instrument: could not tap the client fetch', error);
  }
}

/** `http.request.resend_count` for a call: attempts beyond the first, or undefined when none. */
export function resendCount(attempts: number): number | undefined {
  return attempts > 1 ? attempts - 1 : undefined;
}
