/**
 * Reads the facts of one model-call span: who made it (service, surface, action, customer), what
 * it called (provider, models, operation), how it went (status, duration, retries) and its usage,
 * normalised into non-overlapping buckets by @costline/pricing — in whichever producer's dialect it
 * was written (DIALECTS.md §7).
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
  GEN_AI_REQUEST_MODEL,
  GEN_AI_REQUEST_STREAM,
  GEN_AI_RESPONSE_MODEL,
  GEN_AI_RESPONSE_TIME_TO_FIRST_CHUNK,
  HTTP_REQUEST_RESEND_COUNT,
  OPENAI_RESPONSE_SERVICE_TIER,
} from '@costline/semconv';
import type { NormalisedUsage } from '@costline/pricing';
import { STATUS_CODE } from '../otlp/span.ts';
import type { AttrMap, DecodedSpan } from '../otlp/span.ts';
import { attrBool, attrInt, attrNumber, attrString, attrStringOf } from './attributes.ts';
import { detectDialect } from './dialect.ts';
import type { Dialect } from './dialect.ts';
import { jsonAttribute } from './json-attribute.ts';
import { producerCostUsd } from './producer-cost.ts';
import { correctProducerQuirks } from './producer-quirks.ts';
import { providerOf } from './provider.ts';
import { readUsage } from './usage.ts';

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
  /** Whether the producer's input count was read as including cache tokens. */
  inputIncludesCache: boolean;
  /** The producer's own cost (a hint, never the price), as Decimal(18,12) text. */
  producerCostUsd: string | null;
  /**
   * Whether the provider SDK's own span for this same call may arrive as a child of this one: the
   * producer wraps the SDK from outside, and the SDK traces itself (the Anthropic SDK, ≥0.134).
   */
  mayWrapSdkSpan: boolean;
}

const REQUEST_MODEL_KEYS = [
  GEN_AI_REQUEST_MODEL,
  'ai.model.id',
  'llm.request.model_name',
  'llm.model_name',
  'embedding.model_name',
  'langfuse.observation.model.name',
];
const RESPONSE_MODEL_KEYS = [
  GEN_AI_RESPONSE_MODEL,
  'ai.response.model',
  'llm.response.model_name',
  'llm.model_name',
  'langfuse.observation.model.name',
];

const SERVICE_TIER_KEYS = [
  OPENAI_RESPONSE_SERVICE_TIER,
  ANTHROPIC_USAGE_SERVICE_TIER,
  ANTHROPIC_RESPONSE_SERVICE_TIER,
  COSTLINE_SERVICE_TIER,
];

/** Operation names for producers that do not set `gen_ai.operation.name`. */
function operationOf(span: DecodedSpan): string {
  const a = span.attributes;
  const op = attrString(a, GEN_AI_OPERATION_NAME);
  if (op !== undefined) return op;
  const hint =
    attrString(
      a,
      'ai.operationId',
      'openinference.span.kind',
      'langfuse.observation.type',
      'llm.request.type',
    ) ?? span.name;
  if (/embed/i.test(hint)) return 'embeddings';
  if (/^(completion|openai\.completion|anthropic\.completion)$/.test(hint)) return 'text_completion';
  return 'chat';
}

function isStreaming(a: AttrMap): boolean {
  if (attrBool(a, GEN_AI_REQUEST_STREAM) || attrBool(a, 'gen_ai.request.is_stream')) return true;
  if (/\.doStream$/.test(attrString(a, 'ai.operationId') ?? '')) return true;
  // AI SDK v7 (@ai-sdk/otel) sets no stream flag, but only a stream has a first chunk.
  if (a['gen_ai.client.operation.time_to_first_chunk'] !== undefined) return true;
  return (
    jsonAttribute(a, 'llm.invocation_parameters')?.['stream'] === true ||
    jsonAttribute(a, 'langfuse.observation.model.parameters')?.['stream'] === true
  );
}

/** Time to first chunk in ms, from whichever key and unit the producer used. */
function ttftMsOf(a: AttrMap): number | null {
  const seconds = attrNumber(
    a,
    GEN_AI_RESPONSE_TIME_TO_FIRST_CHUNK,
    'gen_ai.client.operation.time_to_first_chunk',
    'gen_ai.server.time_to_first_token',
  );
  if (seconds !== undefined) return seconds * 1000;
  return attrNumber(a, 'ai.response.msToFirstChunk') ?? null;
}

/** `error.type`, else the HTTP status the producer recorded, else semconv's `_OTHER`. */
function errorTypeOf(a: AttrMap): string {
  const type = attrString(a, ERROR_TYPE);
  if (type !== undefined) return type;
  const status = attrInt(a, 'http.response.status_code');
  return status !== undefined && status >= 400 ? String(status) : '_OTHER';
}

export function readModelCall(span: DecodedSpan): ModelCallFacts {
  const a = span.attributes;
  const dialect = detectDialect(span);
  const requestModel = attrStringOf(a, REQUEST_MODEL_KEYS) ?? '';
  const responseModel = attrStringOf(a, RESPONSE_MODEL_KEYS) ?? '';
  const provider = providerOf(
    a,
    responseModel || requestModel,
    dialect.name === 'ai-sdk' ? ['ai.model.provider'] : [],
  );
  const { usage, inputIncludesCache } = readUsage(a, dialect, provider);
  const streaming = isStreaming(a);
  correctProducerQuirks(a, dialect, provider, streaming, usage);
  // Langfuse leaves the span status unset on a failed generation and sets its own level instead.
  const failed =
    span.statusCode === STATUS_CODE.error ||
    attrString(a, ERROR_TYPE) !== undefined ||
    a['langfuse.observation.level'] === 'ERROR';
  return {
    span,
    service: attrString(span.resource, 'service.name') ?? 'unknown_service',
    surface: attrString(a, COSTLINE_SURFACE) ?? '',
    actionId: attrString(a, COSTLINE_ACTION_ID) ?? '',
    customer: attrString(a, COSTLINE_CUSTOMER_ID, 'traceloop.association.properties.customer_id') ?? '',
    provider,
    requestModel,
    responseModel,
    operation: operationOf(span),
    promptName: attrString(a, GEN_AI_PROMPT_NAME) ?? '',
    promptVersion: attrString(a, GEN_AI_PROMPT_VERSION) ?? '',
    streaming,
    serviceTier: attrStringOf(a, SERVICE_TIER_KEYS) ?? '',
    usage,
    usageMissing:
      attrBool(a, COSTLINE_USAGE_MISSING) ||
      (!failed && (usage === undefined || usage.flags.some((f) => f.startsWith('invalid_usage:')))),
    durationMs: Number(span.endTimeUnixNano - span.startTimeUnixNano) / 1e6,
    ttftMs: ttftMsOf(a),
    status: failed ? 'error' : 'ok',
    errorType: failed ? errorTypeOf(a) : '',
    retryAttempt: attrInt(a, COSTLINE_RETRY_ATTEMPT) ?? 0,
    sdkRetries: attrInt(a, HTTP_REQUEST_RESEND_COUNT) ?? 0,
    systemPromptChars: attrInt(a, COSTLINE_SYSTEM_PROMPT_CHARS) ?? 0,
    dialect,
    inputIncludesCache,
    producerCostUsd: producerCostUsd(a),
    mayWrapSdkSpan: dialect.wrapsSdk && provider === 'anthropic',
  };
}
