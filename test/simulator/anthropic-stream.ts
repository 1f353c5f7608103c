/**
 * Anthropic's server-sent events for one reply, in the API's order:
 *
 * `message_start` (usage with the full input side and `output_tokens: 1`) → per content block
 * `content_block_start`, (after the first one) `ping`, `content_block_delta`s (`thinking_delta` then
 * `signature_delta`, or `text_delta`), `content_block_stop` → `message_delta` → `message_stop`.
 *
 * `message_delta.usage` is **cumulative**, not an increment: the final `output_tokens` and, as the API
 * now sends them, `input_tokens`, `cache_creation_input_tokens` and `cache_read_input_tokens`. The
 * SDK's `MessageStream` overwrites its `message_start` snapshot with these, so the billed usage is
 * `message_start.usage` updated by `message_delta.usage` — which is what is returned as `usage`.
 *
 * @module
 */
import type { AnthropicReply } from './anthropic-messages.ts';
import type { JsonObject } from './json-value.ts';
import { splitWords } from './output-plan.ts';
import type { SseEvent } from './types.ts';

/** Words per `text_delta` / `thinking_delta`: the API sends a few tokens per delta. */
export const WORDS_PER_DELTA = 3;

/** Fields of `message_delta.usage`, when the usage has them. */
const DELTA_USAGE_KEYS = [
  'input_tokens',
  'cache_creation_input_tokens',
  'cache_read_input_tokens',
  'output_tokens',
  'output_tokens_details',
  'server_tool_use',
] as const;

function event(type: string, payload: JsonObject, tokens = 0): SseEvent {
  return { event: type, data: JSON.stringify({ type, ...payload }), tokens };
}

function deltaEvents(index: number, deltaType: string, key: string, text: string): SseEvent[] {
  return splitWords(text, WORDS_PER_DELTA).map((piece) =>
    event(
      'content_block_delta',
      { index, delta: { type: deltaType, [key]: piece } },
      piece.trim().split(' ').length,
    ),
  );
}

export function anthropicStreamEvents(reply: AnthropicReply): { events: SseEvent[]; usage: JsonObject } {
  const startUsage: JsonObject = { ...reply.usage, output_tokens: 1 };
  const deltaUsage: JsonObject = {};
  for (const key of DELTA_USAGE_KEYS) {
    if (key in reply.usage) deltaUsage[key] = reply.usage[key];
  }

  const events: SseEvent[] = [
    event('message_start', {
      message: {
        id: reply.id,
        type: 'message',
        role: 'assistant',
        model: reply.model,
        content: [],
        stop_reason: null,
        stop_sequence: null,
        usage: startUsage,
      },
    }),
  ];
  reply.content.forEach((block, index) => {
    if (block.type === 'thinking') {
      events.push(
        event('content_block_start', {
          index,
          content_block: { type: 'thinking', thinking: '', signature: '' },
        }),
      );
      if (index === 0) events.push(event('ping', {}));
      events.push(...deltaEvents(index, 'thinking_delta', 'thinking', block.thinking));
      events.push(
        event('content_block_delta', {
          index,
          delta: { type: 'signature_delta', signature: block.signature },
        }),
      );
    } else {
      events.push(event('content_block_start', { index, content_block: { type: 'text', text: '' } }));
      if (index === 0) events.push(event('ping', {}));
      events.push(...deltaEvents(index, 'text_delta', 'text', block.text));
    }
    events.push(event('content_block_stop', { index }));
  });
  events.push(
    event('message_delta', {
      delta: { stop_reason: reply.stopReason, stop_sequence: null },
      usage: deltaUsage,
    }),
    event('message_stop', {}),
  );
  return { events, usage: { ...startUsage, ...deltaUsage } };
}
