/**
 * Builds an `actions` row: from a Costline action span, from another producer's local root span
 * (its status is the outcome, its surface from the attribute chain), or — when no action span ever
 * comes — from the calls alone (outcome `unknown`).
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
import { addValue } from '../store/correction-rows.ts';
import { ACTION_ADDITIVE, nanosToDateTime64 } from '../store/rows.ts';
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

/** Where an action happened: its trace, times and service. */
export interface ActionSource {
  traceId: string;
  /** The span standing for the action; '' when there is none. */
  spanId: string;
  startNs: bigint;
  endNs: bigint;
  service: string;
}

export function parseOutcome(value: string | undefined): ActionOutcome | undefined {
  return value === ACTION_OUTCOME.success ||
    value === ACTION_OUTCOME.failure ||
    value === ACTION_OUTCOME.unknown
    ? value
    : undefined;
}

export function readActionSpan(span: DecodedSpan): ActionFacts {
  const a = span.attributes;
  const outcome: ActionOutcome =
    parseOutcome(attrString(a, COSTLINE_ACTION_OUTCOME)) ??
    (span.statusCode === STATUS_CODE.error ? ACTION_OUTCOME.failure : ACTION_OUTCOME.unknown);
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

export function spanSource(span: DecodedSpan): ActionSource {
  return {
    traceId: span.traceId,
    spanId: span.spanId,
    startNs: span.startTimeUnixNano,
    endNs: span.endTimeUnixNano,
    service: attrString(span.resource, 'service.name') ?? 'unknown_service',
  };
}

/** The outcome another producer's root span stands for: its status, error or not. */
export function outcomeOfStatus(statusCode: number): ActionOutcome {
  return statusCode === STATUS_CODE.error ? ACTION_OUTCOME.failure : ACTION_OUTCOME.success;
}

export function buildActionRow(source: ActionSource, facts: ActionFacts, calls: CallSummary): ActionRow {
  return {
    ts: nanosToDateTime64(source.startNs),
    end_ts: nanosToDateTime64(source.endNs),
    trace_id: source.traceId,
    span_id: source.spanId,
    action_id: facts.actionId,
    service: source.service,
    surface: facts.surface,
    customer: facts.customer,
    outcome: facts.outcome,
    failure_reason: facts.failureReason,
    duration_ms: Number(source.endNs - source.startNs) / 1e6,
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
    sign: 1,
  };
}

/** A delta row (`sign = 0`): the action's key columns, and the totals `calls` add to it. */
export function deltaActionRow(action: ActionRow, calls: CallSummary): ActionRow {
  return {
    ...action,
    duration_ms: 0,
    llm_calls: calls.llmCalls,
    failed_calls: calls.failedCalls,
    retries: calls.retries,
    input_tokens: calls.inputTokens,
    output_tokens: calls.outputTokens,
    cache_read_tokens: calls.cacheReadTokens,
    cost_usd: picoToUsd(calls.costPico),
    avoided_cost_usd: picoToUsd(calls.avoidedPico),
    sign: 0,
  };
}

/** The action row with a delta row's totals added: what the store now adds up to. */
export function addDelta(action: ActionRow, delta: ActionRow): ActionRow {
  const next: Record<string, unknown> = { ...action };
  for (const col of ACTION_ADDITIVE) next[col] = addValue(col, action[col], delta[col]);
  return next as unknown as ActionRow;
}
