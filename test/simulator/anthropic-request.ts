/**
 * Reading an Anthropic Messages request: validation with the API's messages, and the prompt as
 * cache segments in Anthropic's cache order — tools, then system, then messages — with each
 * `cache_control` marker (and the top-level one, which marks the last block) as a breakpoint.
 *
 * @module
 */
import { errorResponse } from './provider-errors.ts';
import { isRecord, numberField, recordField, stringField, type JsonObject } from './json-value.ts';
import type { CacheTtl, PromptSegment } from './prompt-segments.ts';
import { countPartTokens, countTextTokens } from './token-count.ts';
import type { SimResponse } from './types.ts';

export const MAX_CACHE_BREAKPOINTS = 4;

export interface AnthropicRequest {
  body: JsonObject;
  model: string;
  maxTokens: number;
  segments: PromptSegment[];
  /** Set when the request asks for extended thinking. */
  thinking?: { scale: number; budget?: number | undefined };
}

const EFFORT_SCALE: Readonly<Record<string, number>> = { low: 0.5, medium: 1, high: 2, xhigh: 3, max: 4 };

function invalid(message: string): SimResponse {
  return errorResponse('anthropic', 400, { message }, null);
}

function ttlOf(value: unknown): CacheTtl | undefined {
  if (!isRecord(value) || value['type'] !== 'ephemeral') return undefined;
  return value['ttl'] === '1h' ? '1h' : '5m';
}

function segment(kind: string, value: unknown, tokens: number): PromptSegment {
  const rest = isRecord(value)
    ? Object.fromEntries(Object.entries(value).filter(([k]) => k !== 'cache_control'))
    : value;
  const ttl = isRecord(value) ? ttlOf(value['cache_control']) : undefined;
  return { key: `${kind}:${JSON.stringify(rest)}`, tokens, ...(ttl ? { cacheTtl: ttl } : {}) };
}

export function anthropicPromptSegments(body: JsonObject): PromptSegment[] {
  const segments: PromptSegment[] = [];
  const tools = body['tools'];
  if (Array.isArray(tools)) {
    for (const tool of tools) {
      const { cache_control: _cc, ...rest } = isRecord(tool) ? tool : {};
      segments.push(segment('tool', tool, countTextTokens(JSON.stringify(rest))));
    }
  }
  const system = body['system'];
  if (typeof system === 'string') segments.push(segment('system', system, countTextTokens(system)));
  else if (Array.isArray(system))
    for (const block of system) segments.push(segment('system', block, countPartTokens(block)));

  const messages = Array.isArray(body['messages']) ? body['messages'] : [];
  for (const message of messages) {
    if (!isRecord(message)) continue;
    const role = stringField(message, 'role') ?? 'user';
    const content = message['content'];
    if (typeof content === 'string') segments.push(segment(role, content, countTextTokens(content)));
    else if (Array.isArray(content))
      for (const block of content) segments.push(segment(role, block, countPartTokens(block)));
  }

  const auto = ttlOf(body['cache_control']);
  const last = segments.at(-1);
  if (auto && last && !last.cacheTtl) last.cacheTtl = auto;
  return segments;
}

export function parseAnthropicRequest(body: unknown): AnthropicRequest | SimResponse {
  if (!isRecord(body)) return invalid('Invalid request body: expected a JSON object.');
  const model = stringField(body, 'model');
  if (!model) return invalid('model: Field required');
  const maxTokens = numberField(body, 'max_tokens');
  if (maxTokens === undefined) return invalid('max_tokens: Field required');
  if (maxTokens < 1) return invalid('max_tokens: Input should be greater than or equal to 1');
  const messages = body['messages'];
  if (messages === undefined) return invalid('messages: Field required');
  if (!Array.isArray(messages)) return invalid('messages: Input should be a valid list');
  if (messages.length === 0) return invalid('messages: at least one message is required');

  const segments = anthropicPromptSegments(body);
  const breakpoints = segments.filter((s) => s.cacheTtl).length;
  if (breakpoints > MAX_CACHE_BREAKPOINTS) {
    return invalid(
      `A maximum of ${MAX_CACHE_BREAKPOINTS} blocks with cache_control may be provided. Found ${breakpoints}.`,
    );
  }

  const request: AnthropicRequest = { body, model, maxTokens, segments };
  const thinking = recordField(body, 'thinking');
  if (thinking?.['type'] === 'enabled') {
    const budget = numberField(thinking, 'budget_tokens');
    if (budget === undefined) return invalid('thinking.enabled.budget_tokens: Field required');
    if (budget < 1024)
      return invalid('thinking.enabled.budget_tokens: Input should be greater than or equal to 1024');
    if (budget >= maxTokens) return invalid('`max_tokens` must be greater than `thinking.budget_tokens`.');
    request.thinking = { scale: 1, budget };
  } else if (thinking?.['type'] === 'adaptive') {
    const effort = stringField(recordField(body, 'output_config') ?? {}, 'effort') ?? 'high';
    request.thinking = { scale: EFFORT_SCALE[effort] ?? 1 };
  }
  return request;
}
