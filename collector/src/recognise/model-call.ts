/**
 * Reads the facts of one model-call span: who made it (service, surface, action, customer), what
 * it called (provider, models, operation), how it went (status, duration, retries) and its usage,
 * normalised into non-overlapping buckets by @costline/pricing.
 *
 * @module
 */

import {
  ANTHROPIC_RESPONSE_SERVICE_TIER,
  ANTHROPIC_USAGE_SERVICE_TIER,
  COSTLINE_ACTION_ID,
  COSTLINE_CUSTOMER_ID,
  COSTLINE_RETRY_ATTEMPT,
  COSTLINE_SERVICE_TIER,
  COSTLINE_SURFACE,
  COSTLINE_SYSTEM_PROMPT_CHARS,
  COSTLINE_USAGE_MISSING,
  ERROR_TYPE,
  GEN_AI_OPERATION_NAME,
  GEN_AI_PROMPT_NAME,
  GEN_AI_PROMPT_VERSION,
  GEN_AI_PROVIDER_NAME,
  GEN_AI_REQUEST_MODEL,
  GEN_AI_REQUEST_STREAM,
  GEN_AI_RESPONSE_MODEL,
  GEN_AI_RESPONSE_TIME_TO_FIRST_CHUNK,
  GEN_AI_SYSTEM,
  HTTP_REQUEST_RESEND_COUNT,
  OPENAI_RESPONSE_SERVICE_TIER,
} from '@costline/semconv';
import { normaliseGenAiAttributes } from '@costline/pricing';
import type { NormalisedUsage } from '@costline/pricing';
import { STATUS_CODE } from '../otlp/span.ts';
import type { DecodedSpan } from '../otlp/span.ts';
import { attrBool, attrInt, attrNumber, attrString } from './attributes.ts';
import { detectDialect } from './dialect.ts';
import type { Dialect } from './dialect.ts';

export interface ModelCallFacts {
  span: DecodedSpan;
  service: string;
  surface: string;
  actionId: string;
  customer: string;
  provider: string;
  requestModel: string;
  responseModel: string;
  operation: string;
  promptName: string;
  promptVersion: string;
  streaming: boolean;
  serviceTier: string;
  usage: NormalisedUsage | undefined;
  usageMissing: boolean;
  durationMs: number;
  ttftMs: number | null;
  status: 'ok' | 'error';
  errorType: string;
  retryAttempt: number;
  sdkRetries: number;
  systemPromptChars: number;
  dialect: Dialect;
}

export function readModelCall(span: DecodedSpan): ModelCallFacts {
  const a = span.attributes;
  const dialect = detectDialect(span);
  const usage = normaliseGenAiAttributes(a, { inputIncludesCache: dialect.inputIncludesCache });
  const failed = span.statusCode === STATUS_CODE.error || attrString(a, ERROR_TYPE) !== undefined;
  const ttftS = attrNumber(a, GEN_AI_RESPONSE_TIME_TO_FIRST_CHUNK);
  return {
    span,
    service: attrString(span.resource, 'service.name') ?? 'unknown_service',
    surface: attrString(a, COSTLINE_SURFACE) ?? '',
    actionId: attrString(a, COSTLINE_ACTION_ID) ?? '',
    customer: attrString(a, COSTLINE_CUSTOMER_ID) ?? '',
    provider: attrString(a, GEN_AI_PROVIDER_NAME, GEN_AI_SYSTEM) ?? '',
    requestModel: attrString(a, GEN_AI_REQUEST_MODEL) ?? '',
    responseModel: attrString(a, GEN_AI_RESPONSE_MODEL) ?? '',
    operation: attrString(a, GEN_AI_OPERATION_NAME) ?? '',
    promptName: attrString(a, GEN_AI_PROMPT_NAME) ?? '',
    promptVersion: attrString(a, GEN_AI_PROMPT_VERSION) ?? '',
    streaming: attrBool(a, GEN_AI_REQUEST_STREAM),
    serviceTier:
      attrString(
        a,
        OPENAI_RESPONSE_SERVICE_TIER,
        ANTHROPIC_USAGE_SERVICE_TIER,
        ANTHROPIC_RESPONSE_SERVICE_TIER,
        COSTLINE_SERVICE_TIER,
      ) ?? '',
    usage,
    usageMissing: attrBool(a, COSTLINE_USAGE_MISSING) || (!failed && usage === undefined),
    durationMs: Number(span.endTimeUnixNano - span.startTimeUnixNano) / 1e6,
    ttftMs: ttftS === undefined ? null : ttftS * 1000,
    status: failed ? 'error' : 'ok',
    errorType: failed ? (attrString(a, ERROR_TYPE) ?? '_OTHER') : '',
    retryAttempt: attrInt(a, COSTLINE_RETRY_ATTEMPT) ?? 0,
    sdkRetries: attrInt(a, HTTP_REQUEST_RESEND_COUNT) ?? 0,
    systemPromptChars: attrInt(a, COSTLINE_SYSTEM_PROMPT_CHARS) ?? 0,
    dialect,
  };
}
