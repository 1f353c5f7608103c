/**
 * Anthropic Messages, `POST /v1/messages` and `POST /v1/messages/count_tokens`: usage (explicit
 * prompt caching, thinking inside `output_tokens`), the JSON `message`, and the content the stream
 * (`anthropic-stream.ts`) replays.
 *
 * `input_tokens` excludes cache reads and writes; `cache_creation_input_tokens` is the sum of
 * `cache_creation.ephemeral_5m_input_tokens` and `ephemeral_1h_input_tokens`.
 *
 * @module
 */
import { randomBytes } from 'node:crypto';
import type { AnthropicPromptCache } from './anthropic-prompt-cache.ts';
import {
  parseAnthropicRequest,
  anthropicPromptSegments,
  type AnthropicRequest,
} from './anthropic-request.ts';
import { anthropicStreamEvents } from './anthropic-stream.ts';
import { isRecord, stringField, type JsonObject } from './json-value.ts';
import { anthropicMinCacheTokens, anthropicResponseModel } from './models.ts';
import { generateWords, planOutput, seedNumbers } from './output-plan.ts';
import { errorResponse } from './provider-errors.ts';
import { anthropicMessageId, providerHeaders } from './provider-headers.ts';
import { totalTokens } from './prompt-segments.ts';
import type { SimResponse } from './types.ts';

export interface AnthropicMessagesDeps {
  cache: AnthropicPromptCache;
}

export interface AnthropicUsage {
  input_tokens: number;
  cache_creation_input_tokens: number;
  cache_read_input_tokens: number;
  cache_creation: { ephemeral_5m_input_tokens: number; ephemeral_1h_input_tokens: number };
  output_tokens: number;
  /** With thinking on: the thinking part of `output_tokens` (which stays the inclusive total). */
  output_tokens_details?: { thinking_tokens: number };
  service_tier: 'standard';
}

export type AnthropicContentBlock =
  { type: 'thinking'; thinking: string; signature: string } | { type: 'text'; text: string };

/** A generated reply: everything both the JSON body and the stream are built from. */
export interface AnthropicReply {
  id: string;
  model: string;
  content: AnthropicContentBlock[];
  /** Output tokens per content block, to pace the stream. */
  blockTokens: number[];
  stopReason: 'end_turn' | 'max_tokens';
  /** The usage as computed, or the `x-sim-usage` override verbatim. */
  usage: JsonObject;
}

function planReply(request: AnthropicRequest, deps: AnthropicMessagesDeps): AnthropicReply {
  const model = anthropicResponseModel(request.model);
  const cache = deps.cache.apply(model, request.segments, anthropicMinCacheTokens(model));
  const body = request.body;
  const seed = `${model}\n${JSON.stringify(body['system'] ?? null)}\n${JSON.stringify(body['messages'])}`;
  const plan = planOutput(seed, { maxTokens: request.maxTokens, reasoning: request.thinking });

  const content: AnthropicContentBlock[] = [];
  const blockTokens: number[] = [];
  if (request.thinking) {
    const [thinkingSeed] = seedNumbers(`${seed}#thinking`);
    content.push({
      type: 'thinking',
      thinking: generateWords(plan.reasoningTokens, thinkingSeed),
      signature: randomBytes(96).toString('base64'),
    });
    blockTokens.push(plan.reasoningTokens);
  }
  if (plan.textTokens > 0 || content.length === 0) {
    content.push({ type: 'text', text: plan.text });
    blockTokens.push(plan.textTokens);
  }

  const usage: AnthropicUsage = {
    input_tokens: cache.uncached,
    cache_creation_input_tokens: cache.cacheWrite5m + cache.cacheWrite1h,
    cache_read_input_tokens: cache.cacheRead,
    cache_creation: {
      ephemeral_5m_input_tokens: cache.cacheWrite5m,
      ephemeral_1h_input_tokens: cache.cacheWrite1h,
    },
    output_tokens: plan.reasoningTokens + plan.textTokens,
    ...(request.thinking ? { output_tokens_details: { thinking_tokens: plan.reasoningTokens } } : {}),
    service_tier: 'standard',
  };
  return {
    id: anthropicMessageId(),
    model,
    content,
    blockTokens,
    stopReason: plan.truncated ? 'max_tokens' : 'end_turn',
    usage: { ...usage },
  };
}

/** `usageOverride` (from `x-sim-usage`) replaces the computed usage everywhere it is reported. */
export function handleAnthropicMessages(
  body: unknown,
  deps: AnthropicMessagesDeps,
  usageOverride?: JsonObject,
): SimResponse {
  const request = parseAnthropicRequest(body);
  if ('kind' in request) return request;
  const reply = planReply(request, deps);
  if (usageOverride) reply.usage = usageOverride;
  const headers = providerHeaders('anthropic');

  if (request.body['stream'] === true) {
    const { events, usage } = anthropicStreamEvents(reply);
    return { kind: 'sse', status: 200, headers, events, usage };
  }
  const json = {
    id: reply.id,
    type: 'message',
    role: 'assistant',
    model: reply.model,
    content: reply.content,
    stop_reason: reply.stopReason,
    stop_sequence: null,
    usage: reply.usage,
  };
  const tokens = reply.blockTokens.reduce((a, b) => a + b, 0);
  return { kind: 'json', status: 200, headers, body: json, tokens, usage: reply.usage };
}

/** Counts the whole prompt (tools, system, messages); the cache plays no part. */
export function handleAnthropicCountTokens(body: unknown): SimResponse {
  if (!isRecord(body)) return errorResponse('anthropic', 400, { message: 'Invalid request body.' }, null);
  if (!stringField(body, 'model'))
    return errorResponse('anthropic', 400, { message: 'model: Field required' }, null);
  if (!Array.isArray(body['messages'])) {
    return errorResponse('anthropic', 400, { message: 'messages: Field required' }, null);
  }
  const inputTokens = totalTokens(anthropicPromptSegments(body));
  return {
    kind: 'json',
    status: 200,
    headers: providerHeaders('anthropic'),
    body: { input_tokens: inputTokens },
    tokens: 0,
  };
}
