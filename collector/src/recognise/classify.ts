/**
 * Decides what a span is to Costline: a model call (the only spans that carry cost), an aggregate
 * that repeats its children's usage (never priced), an action, an app-cache answer, or something
 * else (kept only for attribution). Each producer marks model calls its own way (DIALECTS.md §7.1).
 *
 * @module
 */

import {
  COSTLINE_SPAN_KIND,
  COSTLINE_SPAN_KIND_VALUE,
  GEN_AI_OPERATION_NAME,
  GEN_AI_OPERATIONS_BILLED,
} from '@costline/semconv';
import type { DecodedSpan } from '../otlp/span.ts';

export type SpanRole = 'action' | 'app_cache' | 'model_call' | 'aggregate' | 'other';

const BILLED = new Set<string>(GEN_AI_OPERATIONS_BILLED);

/** Semconv operations whose spans may carry the summed usage of the calls under them. */
const AGGREGATE_OPERATIONS = new Set(['invoke_agent', 'agent_step', 'invoke_workflow', 'create_agent']);

/** AI SDK `ai.operationId`s of the provider calls themselves; their parents (`ai.generateText`…) sum them. */
const AI_SDK_LEAF = /\.(doGenerate|doStream|doEmbed)$/;
const AI_SDK_OPERATION = /^ai\./;

/** Legacy Traceloop (≤0.22) names its spans after the SDK method and sets `llm.request.type`. */
const TRACELOOP_LEGACY_NAMES = new Set([
  'openai.chat',
  'openai.completion',
  'anthropic.chat',
  'anthropic.completion',
]);
const TRACELOOP_LEGACY_TYPES = new Set(['chat', 'completion', 'embedding']);

const OPENINFERENCE_CALL_KINDS = new Set(['LLM', 'EMBEDDING']);
const LANGFUSE_CALL_TYPES = new Set(['generation', 'embedding']);

export function classifySpan(span: DecodedSpan): SpanRole {
  const a = span.attributes;
  const kind = a[COSTLINE_SPAN_KIND];
  if (kind === COSTLINE_SPAN_KIND_VALUE.action) return 'action';
  if (kind === COSTLINE_SPAN_KIND_VALUE.appCache) return 'app_cache';

  // The AI SDK's own operation id wins over any name or `gen_ai.operation.name`: the Traceloop SDK
  // renames both `ai.generateText` and its `doGenerate` child to `chat {model}` (DIALECTS.md §2.2).
  const aiOperation = a['ai.operationId'];
  if (typeof aiOperation === 'string' && AI_SDK_OPERATION.test(aiOperation)) {
    if (AI_SDK_LEAF.test(aiOperation)) return 'model_call';
    return hasUsage(a) ? 'aggregate' : 'other';
  }

  const op = a[GEN_AI_OPERATION_NAME];
  if (typeof op === 'string') {
    if (BILLED.has(op)) return 'model_call';
    if (AGGREGATE_OPERATIONS.has(op)) return hasUsage(a) ? 'aggregate' : 'other';
  }
  const oiKind = a['openinference.span.kind'];
  if (typeof oiKind === 'string')
    return OPENINFERENCE_CALL_KINDS.has(oiKind) ? 'model_call' : aggregateOrOther(a);
  const lfType = a['langfuse.observation.type'];
  if (typeof lfType === 'string') return LANGFUSE_CALL_TYPES.has(lfType) ? 'model_call' : aggregateOrOther(a);
  const requestType = a['llm.request.type'];
  if (typeof requestType === 'string' && TRACELOOP_LEGACY_TYPES.has(requestType)) return 'model_call';
  if (TRACELOOP_LEGACY_NAMES.has(span.name)) return 'model_call';
  return 'other';
}

function aggregateOrOther(a: DecodedSpan['attributes']): SpanRole {
  return hasUsage(a) ? 'aggregate' : 'other';
}

/** Any token count a producer may have summed onto a parent span. */
function hasUsage(a: DecodedSpan['attributes']): boolean {
  for (const key of Object.keys(a)) {
    if (
      key.startsWith('gen_ai.usage.') ||
      key.startsWith('ai.usage.') ||
      key.startsWith('llm.token_count.')
    ) {
      return true;
    }
  }
  return a['langfuse.observation.usage_details'] !== undefined;
}
