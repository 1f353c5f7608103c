/**
 * Builds an `actions` row from an action span and the calls assembled under it.
 *
 * @module
 */

import {
  ACTION_OUTCOME,
  COSTLINE_ACTION_FAILURE_REASON,
  COSTLINE_ACTION_ID,
  COSTLINE_ACTION_OUTCOME,
  COSTLINE_APP_CACHE_HIT,
  COSTLINE_CUSTOMER_ID,
  COSTLINE_EARLY_EXIT_RULE,
  COSTLINE_SURFACE,
} from '@costline/semconv';
import type { ActionOutcome } from '@costline/semconv';
import { STATUS_CODE } from '../otlp/span.ts';
import type { DecodedSpan } from '../otlp/span.ts';
import { attrBool, attrString } from '../recognise/attributes.ts';
import { picoToUsd } from '../store/money.ts';
import { nanosToDateTime64 } from '../store/rows.ts';
import type { ActionRow } from '../store/rows.ts';
import type { CallSummary } from './call-summary.ts';

export interface ActionFacts {
  actionId: string;
  surface: string;
  customer: string;
  outcome: ActionOutcome;
  failureReason: string;
  appCacheHit: boolean;
  earlyExitRule: string;
}

export function readActionSpan(span: DecodedSpan): ActionFacts {
  const a = span.attributes;
  const declared = attrString(a, COSTLINE_ACTION_OUTCOME);
  const outcome: ActionOutcome =
    declared === ACTION_OUTCOME.success ||
    declared === ACTION_OUTCOME.failure ||
    declared === ACTION_OUTCOME.unknown
      ? declared
      : span.statusCode === STATUS_CODE.error
        ? ACTION_OUTCOME.failure
        : ACTION_OUTCOME.unknown;
  const earlyExitRule = attrString(a, COSTLINE_EARLY_EXIT_RULE) ?? '';
  return {
    actionId: attrString(a, COSTLINE_ACTION_ID) ?? span.spanId,
    surface: attrString(a, COSTLINE_SURFACE) ?? 'unattributed',
    customer: attrString(a, COSTLINE_CUSTOMER_ID) ?? '',
    outcome,
    failureReason:
      attrString(a, COSTLINE_ACTION_FAILURE_REASON) ?? (outcome === 'failure' ? span.statusMessage : ''),
    appCacheHit: attrBool(a, COSTLINE_APP_CACHE_HIT) || earlyExitRule !== '',
    earlyExitRule,
  };
}

export function buildActionRow(span: DecodedSpan, facts: ActionFacts, calls: CallSummary): ActionRow {
  return {
    ts: nanosToDateTime64(span.startTimeUnixNano),
    end_ts: nanosToDateTime64(span.endTimeUnixNano),
    trace_id: span.traceId,
    action_id: facts.actionId,
    service: attrString(span.resource, 'service.name') ?? 'unknown_service',
    surface: facts.surface,
    customer: facts.customer,
    outcome: facts.outcome,
    failure_reason: facts.failureReason,
    duration_ms: Number(span.endTimeUnixNano - span.startTimeUnixNano) / 1e6,
    llm_calls: calls.llmCalls,
    failed_calls: calls.failedCalls,
    retries: calls.retries,
    input_tokens: calls.inputTokens,
    output_tokens: calls.outputTokens,
    cache_read_tokens: calls.cacheReadTokens,
    cost_usd: picoToUsd(calls.costPico),
    app_cache_hit: facts.appCacheHit || calls.appCacheHits > 0,
    early_exit_rule: facts.earlyExitRule,
    avoided_cost_usd: picoToUsd(calls.avoidedPico),
  };
}
