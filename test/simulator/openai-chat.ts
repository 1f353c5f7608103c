/**
 * OpenAI Chat Completions, `POST /v1/chat/completions`: validation, usage (automatic prompt
 * caching, reasoning tokens inside `completion_tokens`), the JSON body, and the SSE chunks.
 *
 * Streams end with `data: [DONE]`. Only with `stream_options.include_usage` does a final chunk with
 * `choices: []` carry the usage; the other chunks then have `usage: null` (without the option the
 * key is absent, as on the real API). Chunks carry `obfuscation` unless
 * `stream_options.include_obfuscation` is false.
 *
 * @module
 */
import { createHash } from 'node:crypto';
import { errorResponse } from './provider-errors.ts';
import { isRecord, numberField, recordField, stringField, type JsonObject } from './json-value.ts';
import { isOpenAIReasoningModel, openAIResponseModel } from './models.ts';
import type { OpenAIPromptCache } from './openai-prompt-cache.ts';
import { planOutput, splitWords, type OutputPlan } from './output-plan.ts';
import { base62, openAICompletionId, providerHeaders } from './provider-headers.ts';
import { totalTokens, type PromptSegment } from './prompt-segments.ts';
import { countContentTokens, countTextTokens } from './token-count.ts';
import type { SimResponse, SseEvent } from './types.ts';

export interface OpenAIChatDeps {
  cache: OpenAIPromptCache;
  now: () => number;
  /** Served on an Azure OpenAI path: content-filter results, and a first stream chunk without choices. */
  azure?: boolean;
}

const AZURE_FILTERS = {
  hate: { filtered: false, severity: 'safe' },
  self_harm: { filtered: false, severity: 'safe' },
  sexual: { filtered: false, severity: 'safe' },
  violence: { filtered: false, severity: 'safe' },
};
const AZURE_PROMPT_FILTERS = [{ prompt_index: 0, content_filter_results: AZURE_FILTERS }];

export interface OpenAIChatUsage {
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
  prompt_tokens_details: { cached_tokens: number; audio_tokens: number };
  completion_tokens_details: {
    reasoning_tokens: number;
    audio_tokens: number;
    accepted_prediction_tokens: number;
    rejected_prediction_tokens: number;
  };
}

const EFFORT_SCALE: Readonly<Record<string, number>> = {
  none: 0,
  minimal: 0,
  low: 0.5,
  medium: 1,
  high: 2,
  xhigh: 3,
};
const PASSED_THROUGH_TIERS = new Set(['flex', 'priority', 'scale']);

function invalid(message: string, param: string | null, code: string | null): SimResponse {
  return errorResponse('openai', 400, { message, param, code }, null);
}

function validate(body: unknown): SimResponse | undefined {
  if (!isRecord(body)) return invalid('Invalid request body: expected a JSON object.', null, null);
  const model = stringField(body, 'model');
  if (!model) return invalid('you must provide a model parameter', null, null);
  const messages = body['messages'];
  if (messages === undefined) {
    return invalid("Missing required parameter: 'messages'.", 'messages', 'missing_required_parameter');
  }
  if (!Array.isArray(messages)) {
    return invalid("Invalid type for 'messages': expected an array of objects.", 'messages', 'invalid_type');
  }
  if (messages.length === 0) {
    return invalid(
      "Invalid 'messages': empty array. Expected an array with minimum length 1, but got an empty array instead.",
      'messages',
      'empty_array',
    );
  }
  if (isOpenAIReasoningModel(model) && body['max_tokens'] !== undefined) {
    return invalid(
      "Unsupported parameter: 'max_tokens' is not supported with this model. Use 'max_completion_tokens' instead.",
      'max_tokens',
      'unsupported_parameter',
    );
  }
  if (body['stream_options'] != null && body['stream'] !== true) {
    return invalid(
      "The 'stream_options' parameter is only allowed when 'stream' is enabled.",
      'stream_options',
      null,
    );
  }
  return undefined;
}

/** Tools first, then one segment per message: the unit at which cached prefixes are matched. */
export function openAIPromptSegments(body: JsonObject): PromptSegment[] {
  const segments: PromptSegment[] = [];
  const tools = body['tools'];
  if (Array.isArray(tools) && tools.length > 0) {
    const key = JSON.stringify(tools);
    segments.push({ key: `tools:${key}`, tokens: countTextTokens(key) });
  }
  const messages = Array.isArray(body['messages']) ? body['messages'] : [];
  for (const message of messages) {
    if (!isRecord(message)) continue;
    const toolCalls = message['tool_calls'];
    const toolTokens = Array.isArray(toolCalls) ? countTextTokens(JSON.stringify(toolCalls)) : 0;
    segments.push({
      key: JSON.stringify(message),
      tokens: countContentTokens(message['content']) + toolTokens,
    });
  }
  return segments;
}

function buildUsage(promptTokens: number, cached: number, plans: OutputPlan[]): OpenAIChatUsage {
  const reasoning = plans.reduce((s, p) => s + p.reasoningTokens, 0);
  const completion = plans.reduce((s, p) => s + p.reasoningTokens + p.textTokens, 0);
  return {
    prompt_tokens: promptTokens,
    completion_tokens: completion,
    total_tokens: promptTokens + completion,
    prompt_tokens_details: { cached_tokens: cached, audio_tokens: 0 },
    completion_tokens_details: {
      reasoning_tokens: reasoning,
      audio_tokens: 0,
      accepted_prediction_tokens: 0,
      rejected_prediction_tokens: 0,
    },
  };
}

/** `usageOverride` (from `x-sim-usage`) replaces the computed usage everywhere it is reported. */
export function handleOpenAIChat(
  body: unknown,
  deps: OpenAIChatDeps,
  usageOverride?: JsonObject,
): SimResponse {
  const problem = validate(body);
  if (problem || !isRecord(body)) return problem ?? invalid('Invalid request body.', null, null);

  const requested = stringField(body, 'model') ?? '';
  const model = openAIResponseModel(requested);
  const segments = openAIPromptSegments(body);
  const promptTokens = totalTokens(segments);
  const cached = deps.cache.lookupAndStore(model, segments);

  const reasoning = isOpenAIReasoningModel(requested)
    ? { scale: EFFORT_SCALE[stringField(body, 'reasoning_effort') ?? 'medium'] ?? 1 }
    : undefined;
  const maxTokens = numberField(body, 'max_completion_tokens') ?? numberField(body, 'max_tokens');
  const n = Math.max(1, Math.floor(numberField(body, 'n') ?? 1));
  const seed = `${model}\n${JSON.stringify(body['messages'])}\n${JSON.stringify(body['tools'] ?? null)}`;
  const plans = Array.from({ length: n }, (_, i) =>
    planOutput(n === 1 ? seed : `${seed}#${i}`, { maxTokens, reasoning }),
  );
  const computed = buildUsage(promptTokens, cached, plans);
  const usage: unknown = usageOverride ?? computed;

  const tier = stringField(body, 'service_tier');
  const envelope = {
    id: openAICompletionId(),
    created: Math.floor(deps.now() / 1000),
    model,
    service_tier: tier && PASSED_THROUGH_TIERS.has(tier) ? tier : 'default',
    system_fingerprint: `fp_${createHash('sha256').update(model).digest('hex').slice(0, 10)}`,
  };
  const headers = providerHeaders('openai');
  const tokens = computed.completion_tokens;

  if (body['stream'] !== true) {
    const { id, created, service_tier, system_fingerprint } = envelope;
    const json = {
      id,
      object: 'chat.completion',
      created,
      model,
      choices: plans.map((plan, index) => ({
        index,
        message: { role: 'assistant', content: plan.text, refusal: null, annotations: [] },
        logprobs: null,
        finish_reason: plan.truncated ? 'length' : 'stop',
        ...(deps.azure ? { content_filter_results: AZURE_FILTERS } : {}),
      })),
      usage,
      ...(deps.azure ? { prompt_filter_results: AZURE_PROMPT_FILTERS } : {}),
      service_tier,
      system_fingerprint,
    };
    return { kind: 'json', status: 200, headers, body: json, tokens, usage };
  }

  const options = recordField(body, 'stream_options') ?? {};
  const includeUsage = options['include_usage'] === true;
  const obfuscate = options['include_obfuscation'] !== false;
  const chunk = (choices: unknown[], extra: JsonObject = {}): string =>
    JSON.stringify({
      id: envelope.id,
      object: 'chat.completion.chunk',
      created: envelope.created,
      model,
      service_tier: envelope.service_tier,
      system_fingerprint: envelope.system_fingerprint,
      choices,
      ...(includeUsage ? { usage: null } : {}),
      ...extra,
      ...(obfuscate ? { obfuscation: base62(8) } : {}),
    });
  const choice = (index: number, delta: JsonObject, finish: string | null) => ({
    index,
    delta,
    logprobs: null,
    finish_reason: finish,
  });

  const events: SseEvent[] = [];
  // Azure starts a stream with the prompt's filter results: no id, no model, and `choices: []`.
  if (deps.azure) {
    const data = {
      choices: [],
      created: 0,
      id: '',
      model: '',
      object: '',
      prompt_filter_results: AZURE_PROMPT_FILTERS,
    };
    events.push({ data: JSON.stringify(data), tokens: 0 });
  }
  plans.forEach((plan, index) => {
    // Hidden reasoning still takes time: pace it before the first visible token.
    events.push({
      data: chunk([choice(index, { role: 'assistant', content: '', refusal: null }, null)]),
      tokens: plan.reasoningTokens,
    });
    for (const piece of splitWords(plan.text, 1)) {
      events.push({ data: chunk([choice(index, { content: piece }, null)]), tokens: 1 });
    }
    events.push({ data: chunk([choice(index, {}, plan.truncated ? 'length' : 'stop')]), tokens: 0 });
  });
  if (includeUsage) events.push({ data: chunk([], { usage }), tokens: 0 });
  events.push({ data: '[DONE]', tokens: 0 });
  // `usage` is what was billed, recorded in stats even when the stream did not report it.
  return { kind: 'sse', status: 200, headers, events, usage };
}
