/**
 * Follows an SDK call's result without replacing it. The SDKs return an `APIPromise` (a Promise
 * subclass with `.withResponse()`, `.asResponse()`), and the application must get that very
 * object back, so the outcome is read through a side `.then` whose own result is dropped. It is
 * registered before the application's, so a stream is tapped before the application iterates it.
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
  void result.then(
    (value) => guard(() => onValue(value)),
    (error: unknown) => guard(() => onError(error)),
  );
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
