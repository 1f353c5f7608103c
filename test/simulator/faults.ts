/**
 * Injected failures. Three sources, checked in order for every API request:
 *
 * 1. the request header `x-sim-fault: <status>` with status 400, 401, 429, 500, 503, 529, or
 *    `disconnect`. It fails the **first attempt only** — the SDKs send `x-stainless-retry-count`
 *    (0 on the first attempt) and resend the same headers on a retry, so `x-sim-fault: 429` gives a
 *    429 followed by a successful automatic retry. A trailing `!` (`429!`, `disconnect!`) fails every
 *    attempt, so the call fails after the SDK's retries. `x-sim-fault-attempts: N` fails the first N
 *    attempts instead of one (`always` = every attempt).
 * 2. `failNext: {status, count}` — the next `count` requests.
 * 3. `rateLimitEvery` / `serverErrorEvery` — every n-th request since the last `setFaults`.
 *
 * `disconnect` resets the connection: before any byte of a JSON response (the SDKs retry this as a
 * connection error), or half-way through a stream (not retried: the response had already begun).
 *
 * @module
 */
import type { FaultSettings, FaultStatus } from './types.ts';

export const FAULT_HEADER = 'x-sim-fault';
export const FAULT_ATTEMPTS_HEADER = 'x-sim-fault-attempts';

const FAULT_STATUSES: ReadonlySet<number> = new Set<FaultStatus>([400, 401, 429, 500, 503, 529]);

export type Fault = FaultStatus | 'disconnect';

export interface FaultDecision {
  fault: Fault;
  /** For stats: `header:429`, `failNext:500`, `rateLimitEvery:429`, `serverErrorEvery:500`. */
  reason: string;
}

/** What the fault headers of one request ask for. */
export interface FaultHeaderRequest {
  fault: Fault;
  /** How many attempts (counted by `x-stainless-retry-count`) fail; `Infinity` for all. */
  attempts: number;
}

export interface FaultController {
  set(settings: FaultSettings): void;
  /** Decides for one API request; `header` is the parsed `x-sim-fault` request, if any. */
  decide(header: FaultHeaderRequest | undefined, retryCount: number): FaultDecision | undefined;
}

function checkEvery(key: string, value: number | undefined): void {
  if (value !== undefined && !(Number.isInteger(value) && value >= 1)) {
    throw new Error(`setFaults: ${key} must be an integer >= 1, got ${String(value)}`);
  }
}

function validate(settings: FaultSettings): FaultSettings {
  checkEvery('rateLimitEvery', settings.rateLimitEvery);
  checkEvery('serverErrorEvery', settings.serverErrorEvery);
  const next = settings.failNext;
  if (next) {
    if (!FAULT_STATUSES.has(next.status)) {
      const allowed = [...FAULT_STATUSES].join(', ');
      throw new Error(`setFaults: failNext.status must be one of ${allowed}, got ${String(next.status)}`);
    }
    if (!(Number.isInteger(next.count) && next.count >= 0)) {
      throw new Error(`setFaults: failNext.count must be an integer >= 0, got ${String(next.count)}`);
    }
  }
  return { ...settings, ...(next ? { failNext: { ...next } } : {}) };
}

/**
 * Parses `x-sim-fault` and `x-sim-fault-attempts`. Returns `undefined` without a fault header and
 * an error message for a value it does not understand (answered with a 400, so a typo is not silent).
 */
export function parseFaultHeaders(
  value: string | undefined,
  attemptsValue: string | undefined,
): FaultHeaderRequest | { error: string } | undefined {
  if (value === undefined) return undefined;
  let v = value.trim().toLowerCase();
  let attempts = 1;
  if (v.endsWith('!')) {
    attempts = Infinity;
    v = v.slice(0, -1);
  }
  let fault: Fault | undefined;
  if (v === 'disconnect') fault = 'disconnect';
  else if (FAULT_STATUSES.has(Number(v))) fault = Number(v) as FaultStatus;
  if (fault === undefined) {
    return {
      error: `${FAULT_HEADER}: expected one of 400, 401, 429, 500, 503, 529, disconnect, got '${value}'`,
    };
  }
  if (attemptsValue !== undefined) {
    const a = attemptsValue.trim().toLowerCase();
    const n = a === 'always' ? Infinity : Number(a);
    if (!(n === Infinity || (Number.isInteger(n) && n >= 1))) {
      return {
        error: `${FAULT_ATTEMPTS_HEADER}: expected an integer >= 1 or 'always', got '${attemptsValue}'`,
      };
    }
    attempts = n;
  }
  return { fault, attempts };
}

export function createFaultController(initial: FaultSettings = {}): FaultController {
  let settings = validate(initial);
  let requests = 0;

  return {
    set(next) {
      settings = validate(next);
      requests = 0;
    },
    decide(header, retryCount) {
      requests += 1;
      if (header && retryCount < header.attempts) {
        return { fault: header.fault, reason: `header:${header.fault}` };
      }
      const next = settings.failNext;
      if (next && next.count > 0) {
        next.count -= 1;
        return { fault: next.status, reason: `failNext:${next.status}` };
      }
      if (settings.rateLimitEvery && requests % settings.rateLimitEvery === 0) {
        return { fault: 429, reason: 'rateLimitEvery:429' };
      }
      if (settings.serverErrorEvery && requests % settings.serverErrorEvery === 0) {
        return { fault: 500, reason: 'serverErrorEvery:500' };
      }
      return undefined;
    },
  };
}
