/**
 * How an error is named on a span (`error.type`) or an action (`costline.action.failure_reason`):
 * by its class, never by its message, which may carry prompt or customer content.
 *
 * @module
 */

import { count, fields } from './wire-values.ts';

/** The error's class name: `RateLimitError`, `TypeError`, `MyDomainError`. */
export function errorType(error: unknown): string {
  const ctor = fields(error)?.['constructor'];
  const ctorName = typeof ctor === 'function' ? ctor.name : undefined;
  const name = error instanceof Error ? error.name : undefined;
  // A subclass that does not set `name` inherits `Error`; its constructor names it better.
  if (name && name !== 'Error') return name;
  if (ctorName && ctorName !== 'Object') return ctorName;
  return name ?? typeof error;
}

/** The HTTP status of an SDK's API error, when the server answered (AWS: `$metadata.httpStatusCode`). */
export function errorStatus(error: unknown): number | undefined {
  const e = fields(error);
  return count(e?.['status']) ?? count(fields(e?.['$metadata'])?.['httpStatusCode']);
}

/** True for an abort the application asked for: a cancellation, not a failure. */
export function isUserAbort(error: unknown): boolean {
  const type = errorType(error);
  return type === 'APIUserAbortError' || type === 'AbortError';
}
