/**
 * App-level retries (`costline.retry.attempt`): within one action, a model call to the same provider
 * and model right after a call that failed is attempt n+1 of that call; anything else is attempt 0.
 * The SDK's own retries inside one call are counted separately, as `http.request.resend_count`.
 *
 * @module
 */

/** One model call as the tracker sees it. `failed` is undefined while the call is in flight. */
export interface CallRecord {
  readonly provider: string;
  readonly model: string;
  readonly attempt: number;
  failed: boolean | undefined;
  /** How long the call took, once it ended. */
  durationMs: number;
}

/** What the retries inside one action cost: shown on the action span. */
export interface RetryTotals {
  /** App-level retries (calls repeated after a failure) plus the SDK's own resends. */
  readonly retries: number;
  /** Time lost to them: failed calls that were retried, and SDK back-off plus failed attempts. */
  readonly retryMs: number;
}

export interface RetryTracker {
  /** Records the start of a call and returns it, with its attempt number. */
  begin(provider: string, model: string): CallRecord;
  /** Records the SDK's own resends of a call, and the time from its first attempt to its last. */
  resent(resends: number, ms: number): void;
  totals(): RetryTotals;
}

export function createRetryTracker(): RetryTracker {
  let last: CallRecord | undefined;
  let retries = 0;
  let retryMs = 0;
  return {
    begin(provider, model) {
      const retry = last?.failed === true && last.provider === provider && last.model === model;
      if (retry) {
        retries += 1;
        retryMs += last!.durationMs;
      }
      const record: CallRecord = {
        provider,
        model,
        attempt: retry ? last!.attempt + 1 : 0,
        failed: undefined,
        durationMs: 0,
      };
      last = record;
      return record;
    },
    resent(resends, ms) {
      retries += resends;
      retryMs += ms;
    },
    totals: () => ({ retries, retryMs }),
  };
}

/** A call outside any action: always attempt 0, and nothing remembers it. */
export function standaloneCall(provider: string, model: string): CallRecord {
  return { provider, model, attempt: 0, failed: undefined, durationMs: 0 };
}
