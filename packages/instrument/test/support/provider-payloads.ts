/**
 * Provider responses shaped exactly as OpenAI and Anthropic send them (field order, nulls, the
 * `usage: null` on every chunk when usage was asked for, the final usage chunk with `choices: []`,
 * Anthropic's named SSE events), with usage numbers chosen so every bucket can be told apart.
 */

export const OPENAI_MODEL = 'gpt-4o-mini-2024-07-18';
export const ANTHROPIC_MODEL = 'claude-sonnet-4-5-20250929';

/** prompt 1200 (1000 cached), completion 300 (120 reasoning). */
export const openaiUsage = {
  prompt_tokens: 1200,
  completion_tokens: 300,
  total_tokens: 1500,
  prompt_tokens_details: { cached_tokens: 1000, audio_tokens: 0 },
  completion_tokens_details: {
    reasoning_tokens: 120,
    audio_tokens: 0,
    accepted_prediction_tokens: 0,
    rejected_prediction_tokens: 0,
  },
};

export function openaiCompletion(id = 'chatcmpl-B9MHDbslfkBeAs8l4bebGdFOJ6PeG'): unknown {
  return {
    id,
    object: 'chat.completion',
    created: 1764798000,
    model: OPENAI_MODEL,
    choices: [
      {
        index: 0,
        message: { role: 'assistant', content: 'Reset it from Settings.', refusal: null, annotations: [] },
        logprobs: null,
        finish_reason: 'stop',
      },
    ],
    usage: openaiUsage,
    service_tier: 'default',
    system_fingerprint: 'fp_560af6e559',
  };
}

/** The `data:` payloads of a chat stream; with `includeUsage`, every chunk has `usage: null` and a last one carries it. */
export function openaiChunks(includeUsage: boolean, id = 'chatcmpl-C1stream'): unknown[] {
  const base = {
    id,
    object: 'chat.completion.chunk',
    created: 1764798000,
    model: OPENAI_MODEL,
    service_tier: 'default',
    system_fingerprint: 'fp_560af6e559',
  };
  const chunk = (choices: unknown[]): unknown => ({
    ...base,
    choices,
    ...(includeUsage ? { usage: null } : {}),
  });
  const chunks = [
    chunk([
      {
        index: 0,
        delta: { role: 'assistant', content: '', refusal: null },
        logprobs: null,
        finish_reason: null,
      },
    ]),
    chunk([{ index: 0, delta: { content: 'Reset it' }, logprobs: null, finish_reason: null }]),
    chunk([{ index: 0, delta: { content: ' from Settings.' }, logprobs: null, finish_reason: null }]),
    chunk([{ index: 0, delta: {}, logprobs: null, finish_reason: 'stop' }]),
  ];
  if (includeUsage) chunks.push({ ...base, choices: [], usage: openaiUsage });
  return chunks;
}

export function openaiError(status: number): { type: string; body: unknown } {
  if (status === 429) {
    return {
      type: 'requests',
      body: {
        error: {
          message:
            'Rate limit reached for gpt-4o-mini in organization org-x on requests per min (RPM): Limit 3.',
          type: 'requests',
          param: null,
          code: 'rate_limit_exceeded',
        },
      },
    };
  }
  return {
    type: 'invalid_request_error',
    body: {
      error: {
        message: "Invalid value: 'robot'. Supported values are: 'system', 'assistant', 'user'.",
        type: 'invalid_request_error',
        param: 'messages[0].role',
        code: 'invalid_value',
      },
    },
  };
}

/** input 50 uncached, cache read 1000, cache write 1200 (200 for 5 minutes, 1000 for 1 hour), output 300. */
export const anthropicUsage = {
  input_tokens: 50,
  cache_creation_input_tokens: 1200,
  cache_read_input_tokens: 1000,
  cache_creation: { ephemeral_5m_input_tokens: 200, ephemeral_1h_input_tokens: 1000 },
  output_tokens: 300,
  service_tier: 'standard',
};

export function anthropicMessage(id = 'msg_01XFDUDYJgAACzvnptvVoYEL'): unknown {
  return {
    id,
    type: 'message',
    role: 'assistant',
    model: ANTHROPIC_MODEL,
    content: [{ type: 'text', text: 'Reset it from Settings.' }],
    stop_reason: 'end_turn',
    stop_sequence: null,
    usage: anthropicUsage,
  };
}

/** `[event, data]` pairs of a Messages stream: `message_delta` usage is cumulative (300, not 1 + 300). */
export function anthropicEvents(id = 'msg_01StreamXyz'): [string, unknown][] {
  return [
    [
      'message_start',
      {
        type: 'message_start',
        message: {
          id,
          type: 'message',
          role: 'assistant',
          model: ANTHROPIC_MODEL,
          content: [],
          stop_reason: null,
          stop_sequence: null,
          usage: { ...anthropicUsage, output_tokens: 1 },
        },
      },
    ],
    [
      'content_block_start',
      { type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } },
    ],
    ['ping', { type: 'ping' }],
    [
      'content_block_delta',
      { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: 'Reset it' } },
    ],
    [
      'content_block_delta',
      { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: ' from Settings.' } },
    ],
    ['content_block_stop', { type: 'content_block_stop', index: 0 }],
    [
      'message_delta',
      {
        type: 'message_delta',
        delta: { stop_reason: 'end_turn', stop_sequence: null },
        usage: {
          input_tokens: 50,
          cache_creation_input_tokens: 1200,
          cache_read_input_tokens: 1000,
          output_tokens: 300,
        },
      },
    ],
    ['message_stop', { type: 'message_stop' }],
  ];
}
