/**
 * `openai` 7 through Costline's instrumentation against the provider simulator: Responses (plain,
 * streamed, `parse`, `stream()`), embeddings, the chat helpers (`parse`, `stream()`), the Azure
 * client, the opt-in stream usage, and stream edge cases. Usage is forced with `x-sim-usage` so the
 * full attribute maps are exact.
 */

import { SpanStatusCode } from '@opentelemetry/api';
import OpenAI, { AzureOpenAI } from 'openai';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { action } from '@costline/instrument';
import { createProviderSimulator, FAULT_HEADER, USAGE_HEADER } from '../simulator/index.ts';
import type { ProviderSimulator } from '../simulator/index.ts';
import { startTestTracing, waitForSpans, type TestTracing } from './support/tracing.ts';

let sim: ProviderSimulator;
/** Paced (a few ms per token), so an abort lands before the stream's end is already buffered. */
let slowSim: ProviderSimulator;
let tracing: TestTracing;
let client: OpenAI;
let slowClient: OpenAI;

const RESPONSES_USAGE = {
  input_tokens: 1200,
  input_tokens_details: { cached_tokens: 1000 },
  output_tokens: 300,
  output_tokens_details: { reasoning_tokens: 120 },
  total_tokens: 1500,
};
const CHAT_USAGE = {
  prompt_tokens: 1200,
  completion_tokens: 300,
  total_tokens: 1500,
  prompt_tokens_details: { cached_tokens: 1000, audio_tokens: 0 },
  completion_tokens_details: { reasoning_tokens: 120, audio_tokens: 0 },
};
const USAGE_ATTRIBUTES = {
  'gen_ai.usage.input_tokens': 1200,
  'gen_ai.usage.output_tokens': 300,
  'gen_ai.usage.cache_read.input_tokens': 1000,
  'gen_ai.usage.reasoning.output_tokens': 120,
};
const forced = (usage: unknown) => ({ headers: { [USAGE_HEADER]: JSON.stringify(usage) } });
const INSTRUCTIONS = 'You answer billing questions.';

beforeAll(async () => {
  tracing = startTestTracing();
  sim = createProviderSimulator();
  const { url } = await sim.start();
  client = new OpenAI({ apiKey: 'sk-test', baseURL: `${url}/v1`, maxRetries: 2 });
  slowSim = createProviderSimulator({ tokenDelayMs: 2 });
  slowClient = new OpenAI({ apiKey: 'sk-test', baseURL: `${(await slowSim.start()).url}/v1` });
});
afterAll(async () => {
  await slowSim.stop();
  await sim.stop();
  await tracing.stop();
});
beforeEach(() => {
  sim.reset();
  tracing.reset();
});

const responsesRequest = (stream: boolean) => ({
  'gen_ai.operation.name': 'chat',
  'gen_ai.provider.name': 'openai',
  'gen_ai.request.model': 'o4-mini',
  'gen_ai.request.stream': stream,
  'server.address': '127.0.0.1',
  'costline.request.system_prompt_chars': INSTRUCTIONS.length,
  'costline.retry.attempt': 0,
});
const responsesResult = {
  'gen_ai.response.id': expect.stringMatching(/^resp_/) as unknown,
  'gen_ai.response.model': 'o4-mini-2025-04-16',
  'openai.response.service_tier': 'default',
  'gen_ai.response.finish_reasons': ['completed'],
  ...USAGE_ATTRIBUTES,
};

describe('openai responses', () => {
  it('records a plain call with cache reads and reasoning', async () => {
    const response = await client.responses.create(
      { model: 'o4-mini', instructions: INSTRUCTIONS, input: 'Why was I charged twice?' },
      forced(RESPONSES_USAGE),
    );
    expect(response.output_text.length).toBeGreaterThan(0);
    const [span] = await waitForSpans(tracing, 'chat o4-mini');
    expect(span?.attributes).toEqual({ ...responsesRequest(false), ...responsesResult });
  });

  it('records a stream from its response.completed event, with time to first chunk', async () => {
    const stream = await client.responses.create(
      { model: 'o4-mini', instructions: INSTRUCTIONS, input: 'Why was I charged twice?', stream: true },
      forced(RESPONSES_USAGE),
    );
    const types: string[] = [];
    for await (const event of stream) types.push(event.type);
    expect(types.at(-1)).toBe('response.completed');
    const [span] = await waitForSpans(tracing, 'chat o4-mini');
    expect(span?.attributes).toEqual({
      ...responsesRequest(true),
      ...responsesResult,
      'gen_ai.response.time_to_first_chunk': expect.any(Number) as unknown,
    });
  });

  it('records the responses.stream() helper and responses.parse() once each', async () => {
    const helper = client.responses.stream(
      { model: 'o4-mini', instructions: INSTRUCTIONS, input: 'Explain my invoice.' },
      forced(RESPONSES_USAGE),
    );
    const final = await helper.finalResponse();
    expect(final.usage?.input_tokens).toBe(1200);
    const parsed = await client.responses.parse(
      { model: 'o4-mini', instructions: INSTRUCTIONS, input: 'Explain my invoice.' },
      forced(RESPONSES_USAGE),
    );
    expect(parsed.output_text.length).toBeGreaterThan(0);
    const spans = await waitForSpans(tracing, 'chat o4-mini', 2);
    expect(spans).toHaveLength(2);
    expect(spans.map((s) => s.attributes['gen_ai.request.stream'])).toEqual([true, false]);
    for (const span of spans) expect(span.attributes).toMatchObject(USAGE_ATTRIBUTES);
  });

  it('marks usage missing when the stream is aborted before response.completed', async () => {
    const stream = await client.responses.create({
      model: 'o4-mini',
      input: 'Long answer please.',
      stream: true,
    });
    let seen = 0;
    for await (const _event of stream) {
      if (++seen === 3) stream.controller.abort();
    }
    const [span] = await waitForSpans(tracing, 'chat o4-mini');
    expect(span?.attributes['costline.usage.missing']).toBe(true);
    expect(span?.attributes['gen_ai.usage.input_tokens']).toBeUndefined();
  });
});

describe('openai embeddings', () => {
  it('records embeddings {model} with the input tokens, no output', async () => {
    const result = await client.embeddings.create({
      model: 'text-embedding-3-small',
      input: ['refund policy', 'invoice dispute'],
      dimensions: 8,
    });
    expect(result.data).toHaveLength(2);
    expect(result.data[0]?.embedding).toHaveLength(8);
    const [span] = await waitForSpans(tracing, 'embeddings text-embedding-3-small');
    expect(span?.attributes).toEqual({
      'gen_ai.operation.name': 'embeddings',
      'gen_ai.provider.name': 'openai',
      'gen_ai.request.model': 'text-embedding-3-small',
      'gen_ai.embeddings.dimension.count': 8,
      'server.address': '127.0.0.1',
      'costline.retry.attempt': 0,
      'gen_ai.response.model': 'text-embedding-3-small',
      'gen_ai.usage.input_tokens': result.usage.prompt_tokens,
    });
    expect(result.usage.prompt_tokens).toBe(8);
  });
});

const chatMessages = [
  { role: 'system' as const, content: 'You are a support agent.' },
  { role: 'user' as const, content: 'How do I reset my password?' },
];

describe('openai chat helpers and streams', () => {
  it('records chat.completions.parse() and the .stream() helper once each', async () => {
    const parsed = await client.chat.completions.parse(
      { model: 'gpt-4o-mini', messages: chatMessages },
      forced(CHAT_USAGE),
    );
    expect(parsed.choices[0]?.message.content).toBeTruthy();
    const helper = client.chat.completions.stream(
      { model: 'gpt-4o-mini', messages: chatMessages, stream_options: { include_usage: true } },
      forced(CHAT_USAGE),
    );
    const completion = await helper.finalChatCompletion();
    expect(completion.choices[0]?.message.content).toBeTruthy();
    const spans = await waitForSpans(tracing, 'chat gpt-4o-mini', 2);
    expect(spans).toHaveLength(2);
    for (const span of spans) expect(span.attributes).toMatchObject(USAGE_ATTRIBUTES);
  });

  it('returns the SDK APIPromise: .withResponse() on a stream still works and is recorded', async () => {
    const { data: stream, response } = await client.chat.completions
      .create(
        {
          model: 'gpt-4o-mini',
          messages: chatMessages,
          stream: true,
          stream_options: { include_usage: true },
        },
        forced(CHAT_USAGE),
      )
      .withResponse();
    expect(response.headers.get('x-request-id')).toMatch(/^req_/);
    let chunks = 0;
    for await (const _chunk of stream) chunks++;
    expect(chunks).toBeGreaterThan(2);
    const [span] = await waitForSpans(tracing, 'chat gpt-4o-mini');
    expect(span?.attributes).toMatchObject(USAGE_ATTRIBUTES);
  });

  it('iterating a stream twice: the SDK raises its own error, the call is recorded once', async () => {
    const stream = await client.chat.completions.create(
      { model: 'gpt-4o-mini', messages: chatMessages, stream: true, stream_options: { include_usage: true } },
      forced(CHAT_USAGE),
    );
    for await (const _chunk of stream) {
      // first pass
    }
    const again = async (): Promise<void> => {
      for await (const _chunk of stream) {
        // second pass
      }
    };
    await expect(again()).rejects.toThrow(/iterate/i);
    const spans = await waitForSpans(tracing, 'chat gpt-4o-mini');
    expect(spans).toHaveLength(1);
    expect(spans[0]?.attributes).toMatchObject(USAGE_ATTRIBUTES);
  });

  it('tee(): both halves get every chunk, one span', async () => {
    const stream = await client.chat.completions.create(
      { model: 'gpt-4o-mini', messages: chatMessages, stream: true, stream_options: { include_usage: true } },
      forced(CHAT_USAGE),
    );
    const [left, right] = stream.tee();
    const count = async (s: AsyncIterable<unknown>): Promise<number> => {
      let n = 0;
      for await (const _chunk of s) n++;
      return n;
    };
    const [a, b] = await Promise.all([count(left), count(right)]);
    expect(a).toBe(b);
    const spans = await waitForSpans(tracing, 'chat gpt-4o-mini');
    expect(spans).toHaveLength(1);
    expect(spans[0]?.attributes).toMatchObject(USAGE_ATTRIBUTES);
  });

  it('abort mid-stream: the span ends with what was seen, usage missing', async () => {
    const stream = await slowClient.chat.completions.create({
      model: 'gpt-4o-mini',
      messages: chatMessages,
      stream: true,
      stream_options: { include_usage: true },
    });
    let n = 0;
    for await (const _chunk of stream) if (++n === 2) stream.controller.abort();
    const [span] = await waitForSpans(tracing, 'chat gpt-4o-mini');
    expect(span?.attributes['costline.usage.missing']).toBe(true);
    expect(span?.status.code).toBe(SpanStatusCode.UNSET);
  });

  it('a connection error mid-stream is recorded with its error type and passed on', async () => {
    const stream = await client.chat.completions.create(
      { model: 'gpt-4o-mini', messages: chatMessages, stream: true },
      { headers: { [FAULT_HEADER]: 'disconnect' } },
    );
    const drain = async (): Promise<void> => {
      for await (const _chunk of stream) {
        // drain
      }
    };
    await expect(drain()).rejects.toThrow();
    const [span] = await waitForSpans(tracing, 'chat gpt-4o-mini');
    expect(span?.status.code).toBe(SpanStatusCode.ERROR);
    expect(span?.attributes['error.type']).toBeTruthy();
    expect(span?.attributes['gen_ai.usage.input_tokens']).toBeUndefined();
  });

  it('a connection error before any response: APIConnectionError after the SDK retries, no usage', async () => {
    await expect(
      client.chat.completions.create(
        { model: 'gpt-4o-mini', messages: chatMessages },
        { headers: { [FAULT_HEADER]: 'disconnect!' } },
      ),
    ).rejects.toBeInstanceOf(OpenAI.APIConnectionError);
    const [span] = await waitForSpans(tracing, 'chat gpt-4o-mini');
    expect(span?.attributes).toEqual({
      'gen_ai.operation.name': 'chat',
      'gen_ai.provider.name': 'openai',
      'gen_ai.request.model': 'gpt-4o-mini',
      'gen_ai.request.stream': false,
      'server.address': '127.0.0.1',
      'costline.request.system_prompt_chars': 'You are a support agent.'.length,
      'costline.retry.attempt': 0,
      'http.request.resend_count': 2,
      'error.type': 'APIConnectionError',
    });
  });

  it('429 then success: one span, resend_count 1, usage recorded; the action counts it', async () => {
    const id = await action('billing', async () => {
      const r = await client.responses.create(
        { model: 'o4-mini', instructions: INSTRUCTIONS, input: 'Why was I charged twice?' },
        { headers: { [FAULT_HEADER]: '429', [USAGE_HEADER]: JSON.stringify(RESPONSES_USAGE) } },
      );
      return r.id;
    });
    expect(id).toMatch(/^resp_/);
    const spans = await waitForSpans(tracing, 'chat o4-mini');
    expect(spans).toHaveLength(1);
    expect(spans[0]?.attributes).toMatchObject({ 'http.request.resend_count': 1, ...USAGE_ATTRIBUTES });
    expect(spans[0]?.attributes['costline.surface']).toBe('billing');
    expect(sim.stats().byRoute['openai.responses']?.byStatus).toEqual({ '200': 1, '429': 1 });
  });
});

describe('openai chunks without choices', () => {
  it('a usage chunk with no choices key at all (as some proxies send it) is read, not tripped over', async () => {
    // The edge only: the simulator's bytes, with `"choices":[]` cut from the final usage chunk.
    const proxyFetch: typeof fetch = async (input, init) => {
      const response = await fetch(input, init);
      if (!response.body) return response;
      const cut = new TransformStream<Uint8Array, Uint8Array>({
        transform(chunk, controller) {
          const text = new TextDecoder().decode(chunk).replaceAll('"choices":[],"usage":{', '"usage":{');
          controller.enqueue(new TextEncoder().encode(text));
        },
      });
      return new Response(response.body.pipeThrough(cut), {
        status: response.status,
        headers: response.headers,
      });
    };
    const proxied = new OpenAI({ apiKey: 'sk-test', baseURL: `${sim.url}/v1`, fetch: proxyFetch });
    const stream = await proxied.chat.completions.create(
      { model: 'gpt-4o-mini', messages: chatMessages, stream: true, stream_options: { include_usage: true } },
      forced(CHAT_USAGE),
    );
    let withoutChoices = 0;
    for await (const chunk of stream) if (!('choices' in chunk)) withoutChoices++;
    expect(withoutChoices).toBe(1);
    const [span] = await waitForSpans(tracing, 'chat gpt-4o-mini');
    expect(span?.attributes).toMatchObject({
      'gen_ai.response.finish_reasons': ['stop'],
      ...USAGE_ATTRIBUTES,
    });
  });
});

describe('openai on Azure', () => {
  it('records an AzureOpenAI client as azure.ai.openai; the filter-only first chunk (choices: []) is harmless', async () => {
    const azure = new AzureOpenAI({
      apiKey: 'az-test',
      endpoint: sim.url,
      apiVersion: '2024-10-21',
      deployment: 'gpt-4o-mini',
    });
    const stream = await azure.chat.completions.create(
      { model: 'gpt-4o-mini', messages: chatMessages, stream: true, stream_options: { include_usage: true } },
      forced(CHAT_USAGE),
    );
    const first: unknown[] = [];
    for await (const chunk of stream) if (first.length === 0) first.push(chunk.choices);
    expect(first[0]).toEqual([]);
    const [span] = await waitForSpans(tracing, 'chat gpt-4o-mini');
    expect(span?.attributes).toEqual({
      'gen_ai.operation.name': 'chat',
      'gen_ai.provider.name': 'azure.ai.openai',
      'gen_ai.request.model': 'gpt-4o-mini',
      'gen_ai.request.stream': true,
      'server.address': '127.0.0.1',
      'costline.request.system_prompt_chars': 'You are a support agent.'.length,
      'costline.retry.attempt': 0,
      'gen_ai.response.id': expect.stringMatching(/^chatcmpl-/) as unknown,
      'gen_ai.response.model': 'gpt-4o-mini-2024-07-18',
      'openai.response.service_tier': 'default',
      'gen_ai.response.finish_reasons': ['stop'],
      'gen_ai.response.time_to_first_chunk': expect.any(Number) as unknown,
      ...USAGE_ATTRIBUTES,
    });
  });
});

describe('opt-in stream usage (requestStreamUsage)', () => {
  it('asks for usage, records it, and keeps the extra usage chunk from the application', async () => {
    tracing.openai.setConfig({ requestStreamUsage: true });
    try {
      const plain = await client.chat.completions.create({ model: 'gpt-4o-mini', messages: chatMessages });
      const stream = await client.chat.completions.create({
        model: 'gpt-4o-mini',
        messages: chatMessages,
        stream: true,
      });
      let text = '';
      let usageChunks = 0;
      for await (const chunk of stream) {
        text += chunk.choices[0]?.delta.content ?? '';
        if (chunk.choices.length === 0) usageChunks++;
      }
      expect(text).toBe(plain.choices[0]?.message.content);
      expect(usageChunks).toBe(0);
      const spans = await waitForSpans(tracing, 'chat gpt-4o-mini', 2);
      const streamed = spans.find((s) => s.attributes['gen_ai.request.stream'] === true);
      expect(streamed?.attributes['costline.usage.missing']).toBeUndefined();
      expect(streamed?.attributes['gen_ai.usage.input_tokens']).toBe(plain.usage?.prompt_tokens);
      expect(streamed?.attributes['gen_ai.usage.output_tokens']).toBe(plain.usage?.completion_tokens);
    } finally {
      tracing.openai.setConfig({});
    }
  });

  it('off by default: the request goes out unchanged and usage is marked missing', async () => {
    const stream = await client.chat.completions.create({
      model: 'gpt-4o-mini',
      messages: chatMessages,
      stream: true,
    });
    for await (const _chunk of stream) {
      // drain
    }
    const [span] = await waitForSpans(tracing, 'chat gpt-4o-mini');
    expect(span?.attributes['costline.usage.missing']).toBe(true);
  });
});
