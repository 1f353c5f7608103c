/**
 * Amazon Bedrock Converse, `POST /model/{modelId}/converse` (JSON) and `/converse-stream` (AWS
 * event-stream framing, `application/vnd.amazon.eventstream`, framed with the AWS SDK's own codec).
 *
 * `usage` (`TokenUsage`): `inputTokens` **excludes** the cache: `cacheReadInputTokens` and
 * `cacheWriteInputTokens` are reported beside it, and `totalTokens` is all of them plus
 * `outputTokens`. A `cachePoint` block caches the prompt before it: written on first sight, read after.
 * The stream sends `messageStart`, `contentBlockDelta`s, `contentBlockStop`, `messageStop`, and last a
 * `metadata` event carrying the usage.
 *
 * @module
 */
import { EventStreamCodec } from '@smithy/core/event-streams';
import { errorResponse } from './provider-errors.ts';
import { isRecord, numberField, recordField, type JsonObject } from './json-value.ts';
import { planOutput, splitWords } from './output-plan.ts';
import { providerHeaders } from './provider-headers.ts';
import { countContentTokens } from './token-count.ts';
import type { BinaryFrame, SimResponse } from './types.ts';

const PATH = /^\/model\/([^/]+)\/(converse|converse-stream)$/;

export function bedrockCall(path: string): { modelId: string; stream: boolean } | undefined {
  const m = PATH.exec(path);
  if (!m) return undefined;
  return { modelId: decodeURIComponent(m[1] ?? ''), stream: m[2] === 'converse-stream' };
}

/** Prefixes (by their JSON) cached by a `cachePoint`, per model. Cleared by `reset()` with the rest. */
export type BedrockPromptCache = Set<string>;

const codec = new EventStreamCodec(
  (bytes: Uint8Array) => Buffer.from(bytes).toString('utf8'),
  (text: string) => new Uint8Array(Buffer.from(text, 'utf8')),
);

function frame(eventType: string, payload: JsonObject, tokens = 0): BinaryFrame {
  const bytes = codec.encode({
    headers: {
      ':event-type': { type: 'string', value: eventType },
      ':content-type': { type: 'string', value: 'application/json' },
      ':message-type': { type: 'string', value: 'event' },
    },
    body: new Uint8Array(Buffer.from(JSON.stringify(payload), 'utf8')),
  });
  return { bytes, tokens };
}

function blocksTokens(blocks: unknown): number {
  return Array.isArray(blocks)
    ? countContentTokens(blocks.filter((b) => !(isRecord(b) && 'cachePoint' in b)))
    : 0;
}

/** Prompt tokens, and the tokens before the last `cachePoint` with that prefix's key. */
function measure(body: JsonObject): { prompt: number; cacheable: number; key: string } {
  let prompt = 0;
  let cacheable = 0;
  let key = '';
  const seen: unknown[] = [];
  const visit = (blocks: unknown): void => {
    if (!Array.isArray(blocks)) return;
    for (const block of blocks) {
      if (isRecord(block) && 'cachePoint' in block) {
        cacheable = prompt;
        key = JSON.stringify(seen);
        continue;
      }
      seen.push(block);
      prompt += blocksTokens([block]);
    }
  };
  visit(body['system']);
  const messages = Array.isArray(body['messages']) ? body['messages'] : [];
  for (const message of messages) visit(isRecord(message) ? message['content'] : undefined);
  return { prompt, cacheable, key };
}

export function handleBedrockConverse(
  call: { modelId: string; stream: boolean },
  body: unknown,
  cache: BedrockPromptCache,
  usageOverride?: JsonObject,
): SimResponse {
  if (!isRecord(body) || !Array.isArray(body['messages']) || body['messages'].length === 0) {
    return errorResponse(
      'bedrock',
      400,
      { message: 'The model returned the following errors: messages: at least one message is required' },
      null,
    );
  }
  const { prompt, cacheable, key } = measure(body);
  const seed = `${call.modelId}\n${JSON.stringify(body['system'] ?? null)}\n${JSON.stringify(body['messages'])}`;
  let read = 0;
  let write = 0;
  if (cacheable > 0) {
    const prefixKey = `${call.modelId}\n${key}`;
    if (cache.has(prefixKey)) read = cacheable;
    else {
      cache.add(prefixKey);
      write = cacheable;
    }
  }
  const inference = recordField(body, 'inferenceConfig') ?? {};
  const plan = planOutput(seed, { maxTokens: numberField(inference, 'maxTokens') });
  const inputTokens = prompt - read - write;
  const computed: JsonObject = {
    inputTokens,
    outputTokens: plan.textTokens,
    totalTokens: prompt + plan.textTokens,
    ...(cacheable > 0 ? { cacheReadInputTokens: read, cacheWriteInputTokens: write } : {}),
  };
  const usage = usageOverride ?? computed;
  const stopReason = plan.truncated ? 'max_tokens' : 'end_turn';
  const headers = providerHeaders('bedrock');
  const metrics = { latencyMs: 10 + plan.textTokens };
  if (!call.stream) {
    const json = {
      metrics,
      output: { message: { content: [{ text: plan.text }], role: 'assistant' } },
      stopReason,
      usage,
    };
    return { kind: 'json', status: 200, headers, body: json, tokens: plan.textTokens, usage };
  }
  const frames: BinaryFrame[] = [frame('messageStart', { role: 'assistant' })];
  for (const piece of splitWords(plan.text, 2)) {
    frames.push(frame('contentBlockDelta', { contentBlockIndex: 0, delta: { text: piece } }, 2));
  }
  frames.push(frame('contentBlockStop', { contentBlockIndex: 0 }));
  frames.push(frame('messageStop', { stopReason }));
  frames.push(frame('metadata', { metrics, usage }));
  return {
    kind: 'frames',
    status: 200,
    headers,
    contentType: 'application/vnd.amazon.eventstream',
    frames,
    usage,
  };
}
