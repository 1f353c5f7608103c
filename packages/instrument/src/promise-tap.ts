/**
 * Follows an SDK call's result without replacing it. The SDKs return an `APIPromise` (a Promise
 * subclass with `.withResponse()`, `.asResponse()`), and the application must get that very
 * object back, so the outcome is read beside it (see `followApiPromise`), or, for a plain promise,
 * through a side `.then` whose own result is dropped. Either way it is seen before the
 * application's own callbacks run, so a stream is tapped before the application iterates it.
 *
 * @module
 */

import { diag } from '@opentelemetry/api';

export function followResult(
  result: unknown,
  onValue: (value: unknown) => void,
  onError: (error: unknown) => void,
): void {
  if (!isThenable(result)) {
    guard(() => onValue(result));
    return;
  }
  if (followApiPromise(result, onValue, onError)) return;
  void result.then(
    (value) => guard(() => onValue(value)),
    (error: unknown) => guard(() => onError(error)),
  );
}

/**
 * The SDKs' `APIPromise` parses its response once per instance, and the SDK's own helpers
 * (`parse()`, `responses.stream()`, `responses.create` itself) derive further `APIPromise`s from it
 * with `_thenUnwrap(transform)`, each parsing the same response again. A side `.then` on the
 * instance returned would read the body a first time, and a helper's read would then fail ("Body is
 * unusable"). So the parsed value is observed where it is made: in the instance's `parseResponse`
 * (when it is awaited itself) and in front of any `_thenUnwrap` transform (when a helper derives
 * from it), whichever comes first. A failure before any response (HTTP error, connection error) is
 * read from `responsePromise`, which does not touch the body.
 */
function followApiPromise(
  result: PromiseLike<unknown>,
  onValue: (value: unknown) => void,
  onError: (error: unknown) => void,
): boolean {
  const api = result as { responsePromise?: unknown; parseResponse?: unknown; _thenUnwrap?: unknown };
  const parse = api.parseResponse;
  const unwrap = api._thenUnwrap;
  if (!isThenable(api.responsePromise) || typeof parse !== 'function') return false;
  let seen = false;
  const note = (value: unknown): void => {
    if (seen) return;
    seen = true;
    guard(() => onValue(value));
  };
  api.parseResponse = function (this: unknown, ...args: unknown[]): unknown {
    const parsed: unknown = (parse as (...a: unknown[]) => unknown).apply(this, args);
    if (isThenable(parsed)) {
      parsed.then(note, (error: unknown) => {
        if (!seen) guard(() => onError(error));
      });
    } else note(parsed);
    return parsed;
  };
  if (typeof unwrap === 'function') {
    api._thenUnwrap = function (this: unknown, transform: unknown, ...rest: unknown[]): unknown {
      if (typeof transform !== 'function')
        return (unwrap as (...a: unknown[]) => unknown).call(this, transform, ...rest);
      const observed = (value: unknown, ...props: unknown[]): unknown => {
        note(value);
        return (transform as (...a: unknown[]) => unknown)(value, ...props);
      };
      return (unwrap as (...a: unknown[]) => unknown).call(this, observed, ...rest);
    };
  }
  api.responsePromise.then(undefined, (error: unknown) => guard(() => onError(error)));
  return true;
}

function guard(step: () => void): void {
  try {
    step();
  } catch (problem) {
    diag.debug('@costline/instrument: could not record a call result', problem);
  }
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (
    typeof value === 'object' && value !== null && typeof (value as { then?: unknown }).then === 'function'
  );
}
