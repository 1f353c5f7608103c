/**
 * OpenAI Responses API, `POST /v1/responses` (and Azure's `/openai/…/responses`): the `response`
 * object and, with `stream: true`, its typed SSE events (`response.created` … `response.completed`).
 *
 * Usage (`ResponseUsage`) has the Chat semantics under other names: `input_tokens` includes
 * `input_tokens_details.cached_tokens`, `output_tokens` includes
 * `output_tokens_details.reasoning_tokens`. In a stream only `response.completed` carries it
 * (`response.created` / `response.in_progress` have `usage: null`), whatever the request says.
 *
 * @module
 */
import { randomBytes } from 'node:crypto';
import { errorResponse } from './provider-errors.ts';
import { isRecord, numberField, recordField, stringField, type JsonObject } from './json-value.ts';
import { isOpenAIReasoningModel, openAIResponseModel } from './models.ts';
import type { OpenAIPromptCache } from './openai-prompt-cache.ts';
import { planOutput, splitWords } from './output-plan.ts';
import { providerHeaders } from './provider-headers.ts';
import { totalTokens, type PromptSegment } from './prompt-segments.ts';
import { countContentTokens, countTextTokens } from './token-count.ts';
import type { SimResponse, SseEvent } from './types.ts';

export interface OpenAIResponsesUsage {
  input_tokens: number;
  input_tokens_details: { cached_tokens: number };
  output_tokens: number;
  output_tokens_details: { reasoning_tokens: number };
  total_tokens: number;
}

const EFFORT_SCALE: Readonly<Record<string, number>> = { minimal: 0, low: 0.5, medium: 1, high: 2 };

function invalid(message: string, param: string | null): SimResponse {
  return errorResponse('openai', 400, { message, param, code: null }, null);
}

/** Instructions first, then each input item: the unit at which cached prefixes are matched. */
function promptSegments(body: JsonObject): PromptSegment[] {
  const segments: PromptSegment[] = [];
  const instructions = stringField(body, 'instructions');
  if (instructions)
    segments.push({ key: `instructions:${instructions}`, tokens: countTextTokens(instructions) });
  const input = body['input'];
  if (typeof input === 'string') segments.push({ key: `input:${input}`, tokens: countTextTokens(input) });
  else if (Array.isArray(input)) {
    for (const item of input) {
      const content: unknown = isRecord(item) ? item['content'] : item;
      segments.push({ key: JSON.stringify(item), tokens: countContentTokens(content) });
    }
  }
  return segments;
}

const hexId = (prefix: string): string => `${prefix}_${randomBytes(24).toString('hex')}`;

export function handleOpenAIResponses(
  body: unknown,
  deps: { cache: OpenAIPromptCache; now: () => number },
  usageOverride?: JsonObject,
): SimResponse {
  if (!isRecord(body)) return invalid('Invalid request body: expected a JSON object.', null);
  const requested = stringField(body, 'model');
  if (!requested) return invalid("Missing required parameter: 'model'.", 'model');
  const input = body['input'];
  if (typeof input !== 'string' && !Array.isArray(input)) {
    return invalid("Missing required parameter: 'input'.", 'input');
  }
  const model = openAIResponseModel(requested);
  const segments = promptSegments(body);
  const promptTokens = totalTokens(segments);
  const cached = deps.cache.lookupAndStore(model, segments);
  const effort = stringField(recordField(body, 'reasoning') ?? {}, 'effort') ?? 'medium';
  const reasoning = isOpenAIReasoningModel(requested) ? { scale: EFFORT_SCALE[effort] ?? 1 } : undefined;
  const plan = planOutput(
    `${model}\n${JSON.stringify(body['instructions'] ?? null)}\n${JSON.stringify(input)}`,
    {
      maxTokens: numberField(body, 'max_output_tokens'),
      reasoning,
    },
  );
  const output = plan.reasoningTokens + plan.textTokens;
  const computed: OpenAIResponsesUsage = {
    input_tokens: promptTokens,
    input_tokens_details: { cached_tokens: cached },
    output_tokens: output,
    output_tokens_details: { reasoning_tokens: plan.reasoningTokens },
    total_tokens: promptTokens + output,
  };
  const usage: unknown = usageOverride ?? computed;
  const tier = stringField(body, 'service_tier');
  const id = hexId('resp');
  const messageId = hexId('msg');
  const reasoningItem = reasoning ? [{ id: hexId('rs'), type: 'reasoning', summary: [] }] : [];
  const message = (text: string, status: string) => ({
    id: messageId,
    type: 'message',
    status,
    content: [{ type: 'output_text', annotations: [], logprobs: [], text }],
    role: 'assistant',
  });
  const response = (status: string, items: unknown[], u: unknown) => ({
    id,
    object: 'response',
    created_at: Math.floor(deps.now() / 1000),
    status,
    background: false,
    error: null,
    incomplete_details: plan.truncated && status !== 'in_progress' ? { reason: 'max_output_tokens' } : null,
    instructions: body['instructions'] ?? null,
    max_output_tokens: body['max_output_tokens'] ?? null,
    model,
    output: items,
    parallel_tool_calls: true,
    previous_response_id: null,
    reasoning: { effort: reasoning ? effort : null, summary: null },
    service_tier: tier && tier !== 'auto' ? tier : 'default',
    store: true,
    temperature: 1,
    text: { format: { type: 'text' }, verbosity: 'medium' },
    tool_choice: 'auto',
    tools: [],
    top_p: 1,
    truncation: 'disabled',
    usage: u,
    user: null,
    metadata: {},
  });
  const finalStatus = plan.truncated ? 'incomplete' : 'completed';
  const headers = providerHeaders('openai');

  if (body['stream'] !== true) {
    const json = response(finalStatus, [...reasoningItem, message(plan.text, finalStatus)], usage);
    return { kind: 'json', status: 200, headers, body: json, tokens: output, usage };
  }

  let seq = 0;
  const ev = (type: string, payload: JsonObject, tokens = 0): SseEvent => ({
    event: type,
    data: JSON.stringify({ type, sequence_number: seq++, ...payload }),
    tokens,
  });
  const index = reasoningItem.length;
  const events: SseEvent[] = [
    ev('response.created', { response: response('in_progress', [], null) }),
    ev('response.in_progress', { response: response('in_progress', [], null) }),
  ];
  for (const [i, item] of reasoningItem.entries()) {
    events.push(ev('response.output_item.added', { output_index: i, item }, plan.reasoningTokens));
    events.push(ev('response.output_item.done', { output_index: i, item }));
  }
  const part = (text: string) => ({ type: 'output_text', annotations: [], logprobs: [], text });
  const where = { item_id: messageId, output_index: index, content_index: 0 };
  events.push(
    ev('response.output_item.added', {
      output_index: index,
      item: { ...message('', 'in_progress'), content: [] },
    }),
  );
  events.push(ev('response.content_part.added', { ...where, part: part('') }));
  for (const piece of splitWords(plan.text, 1)) {
    events.push(
      ev('response.output_text.delta', { ...where, delta: piece, logprobs: [], obfuscation: '' }, 1),
    );
  }
  events.push(ev('response.output_text.done', { ...where, text: plan.text, logprobs: [] }));
  events.push(ev('response.content_part.done', { ...where, part: part(plan.text) }));
  events.push(
    ev('response.output_item.done', { output_index: index, item: message(plan.text, 'completed') }),
  );
  const done = plan.truncated ? 'response.incomplete' : 'response.completed';
  events.push(
    ev(done, { response: response(finalStatus, [...reasoningItem, message(plan.text, 'completed')], usage) }),
  );
  return { kind: 'sse', status: 200, headers, events, usage };
}
