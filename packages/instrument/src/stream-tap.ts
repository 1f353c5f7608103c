/**
 * Observes an SDK stream (`openai` / `@anthropic-ai/sdk` `Stream`) without replacing it: the
 * stream's `iterator` method, which both `for await` and `tee()` use, is wrapped so the first
 * iteration passes every event through an observer. The application still holds the SDK's own
 * object, with its `controller`, `tee()` and `toReadableStream()`.
 *
 * The observer sees each event just before it is yielded, so an application that stops on the
 * event carrying the usage (or breaks out right after it) still has it recorded. Ending early
 * (`break`, `return()`, a throw in the loop body) ends the observation with what was seen; an error
 * from the SDK mid-stream is reported and rethrown unchanged.
 *
 * @module
 */

import { diag } from '@opentelemetry/api';

export interface StreamObserver {
  event(value: unknown): void;
  /**
   * True for an event Costline itself asked for (the usage chunk of the opt-in
   * `stream_options.include_usage`) that the application's code must not see.
   */
  hides?(value: unknown): boolean;
  /** The stream finished, or the application stopped reading it. */
  done(): void;
  error(error: unknown): void;
}

/** Taps `stream`; returns false when it has no `iterator` to tap (the caller then ends the call). */
export function tapStream(stream: unknown, observer: StreamObserver): boolean {
  if (typeof stream !== 'object' || stream === null) return false;
  const holder = stream as { iterator?: unknown };
  const original = holder.iterator;
  if (typeof original !== 'function') return false;
  let tapped = false;
  holder.iterator = function (this: unknown, ...args: unknown[]): unknown {
    const inner = (original as (...a: unknown[]) => unknown).apply(this, args);
    // Only the first iteration is observed; iterating again is the SDK's own error to raise.
    if (tapped || !isAsyncIterator(inner)) return inner;
    tapped = true;
    return observe(inner, observer);
  };
  return true;
}

/**
 * For an SDK whose stream is a plain async iterable (`@google/genai`'s generator, the AWS SDK's
 * event stream): a generator yielding the same values, observed. Undefined when `source` is not
 * async-iterable (the caller then ends the call and hands `source` on as it was).
 */
export function observeIterable(
  source: unknown,
  observer: StreamObserver,
): AsyncGenerator<unknown> | undefined {
  const iterate = (source as { [Symbol.asyncIterator]?: unknown } | null | undefined)?.[Symbol.asyncIterator];
  if (typeof iterate !== 'function') return undefined;
  const inner = (iterate as () => unknown).call(source);
  return isAsyncIterator(inner) ? observe(inner, observer) : undefined;
}

async function* observe(inner: AsyncIterator<unknown>, observer: StreamObserver): AsyncGenerator<unknown> {
  let failed = false;
  try {
    for await (const value of { [Symbol.asyncIterator]: () => inner }) {
      guard(() => observer.event(value));
      if (observer.hides && hides(observer, value)) continue;
      yield value;
    }
  } catch (error) {
    failed = true;
    guard(() => observer.error(error));
    throw error;
  } finally {
    if (!failed) guard(() => observer.done());
  }
}

function hides(observer: StreamObserver, value: unknown): boolean {
  try {
    return observer.hides?.(value) === true;
  } catch (problem) {
    diag.debug('@costline/instrument: could not observe a stream event', problem);
    return false;
  }
}

function guard(step: () => void): void {
  try {
    step();
  } catch (problem) {
    diag.debug('@costline/instrument: could not observe a stream event', problem);
  }
}

function isAsyncIterator(value: unknown): value is AsyncIterator<unknown> {
  return (
    typeof value === 'object' && value !== null && typeof (value as { next?: unknown }).next === 'function'
  );
}
