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
}

export interface RetryTracker {
  /** Records the start of a call and returns it, with its attempt number. */
  begin(provider: string, model: string): CallRecord;
}

export function createRetryTracker(): RetryTracker {
  let last: CallRecord | undefined;
  return {
    begin(provider, model) {
      const retry = last?.failed === true && last.provider === provider && last.model === model;
      const record: CallRecord = {
        provider,
        model,
        attempt: retry ? last!.attempt + 1 : 0,
        failed: undefined,
      };
      last = record;
      return record;
    },
  };
}

/** A call outside any action: always attempt 0, and nothing remembers it. */
export function standaloneCall(provider: string, model: string): CallRecord {
  return { provider, model, attempt: 0, failed: undefined };
}
