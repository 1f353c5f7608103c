import { SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import OpenAI from 'openai';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { action } from '../src/index.ts';
import { OPENAI_MODEL } from './support/provider-payloads.ts';
import { startProviderStub, type ProviderStub } from './support/provider-stub.ts';
import { startTestTracing, waitForSpans, type TestTracing } from './support/tracing.ts';

let stub: ProviderStub;
let tracing: TestTracing;
let client: OpenAI;

beforeAll(async () => {
  tracing = startTestTracing();
  stub = await startProviderStub();
  client = new OpenAI({ apiKey: 'sk-test', baseURL: `${stub.url}/v1` });
});
afterAll(async () => {
  await stub.close();
  await tracing.stop();
});
beforeEach(() => {
  stub.reset();
  tracing.reset();
});

const messages = [
  { role: 'system' as const, content: 'You are a support agent.' },
  { role: 'developer' as const, content: [{ type: 'text' as const, text: 'Be brief.' }] },
  { role: 'user' as const, content: 'How do I reset my password?' },
];
const SYSTEM_CHARS = 'You are a support agent.'.length + 'Be brief.'.length;

const request = (stream: boolean) => ({
  'gen_ai.operation.name': 'chat',
  'gen_ai.provider.name': 'openai',
  'gen_ai.request.model': 'gpt-4o-mini',
  'gen_ai.request.stream': stream,
  'server.address': '127.0.0.1',
  'costline.request.system_prompt_chars': SYSTEM_CHARS,
  'costline.retry.attempt': 0,
});
const usage = {
  'gen_ai.usage.input_tokens': 1200,
  'gen_ai.usage.output_tokens': 300,
  'gen_ai.usage.cache_read.input_tokens': 1000,
  'gen_ai.usage.reasoning.output_tokens': 120,
};

describe('openai chat.completions.create', () => {
  it('records a plain call with cache reads and reasoning, and returns the SDK APIPromise', async () => {
    const promise = client.chat.completions.create({
      model: 'gpt-4o-mini',
      messages,
      service_tier: 'default',
    });
    expect(typeof promise.withResponse).toBe('function');
    const { data, response } = await promise.withResponse();
    expect(data.choices[0]?.message.content).toBe('Reset it from Settings.');
    expect(response.status).toBe(200);

    const [span] = await waitForSpans(tracing, 'chat gpt-4o-mini');
    expect(span?.kind).toBe(SpanKind.CLIENT);
    expect(span?.instrumentationScope.name).toBe('@costline/instrument');
    expect(span?.status.code).toBe(SpanStatusCode.UNSET);
    expect(span?.attributes).toEqual({
      ...request(false),
      'openai.request.service_tier': 'default',
      'gen_ai.response.id': 'chatcmpl-B9MHDbslfkBeAs8l4bebGdFOJ6PeG',
      'gen_ai.response.model': OPENAI_MODEL,
      'openai.response.service_tier': 'default',
      'gen_ai.response.finish_reasons': ['stop'],
      ...usage,
    });
  });

  it('records a stream with include_usage from its final chunk', async () => {
    const stream = await client.chat.completions.create({
      model: 'gpt-4o-mini',
      messages,
      stream: true,
      stream_options: { include_usage: true },
    });
    let text = '';
    for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? '';
    expect(text).toBe('Reset it from Settings.');

    const [span] = await waitForSpans(tracing, 'chat gpt-4o-mini');
    expect(span?.attributes).toEqual({
      ...request(true),
      'gen_ai.response.id': 'chatcmpl-C1stream',
      'gen_ai.response.model': OPENAI_MODEL,
      'openai.response.service_tier': 'default',
      'gen_ai.response.finish_reasons': ['stop'],
      'gen_ai.response.time_to_first_chunk': expect.any(Number) as unknown,
      ...usage,
    });
  });

  it('marks usage missing on a stream without include_usage, leaving the request unchanged', async () => {
    const stream = await client.chat.completions.create({ model: 'gpt-4o-mini', messages, stream: true });
    for await (const _chunk of stream) {
      // drain
    }
    expect(stub.requests).toHaveLength(1);
    expect(stub.requests[0]?.body).not.toHaveProperty('stream_options');

    const [span] = await waitForSpans(tracing, 'chat gpt-4o-mini');
    expect(span?.attributes).toEqual({
      ...request(true),
      'gen_ai.response.id': 'chatcmpl-C1stream',
      'gen_ai.response.model': OPENAI_MODEL,
      'openai.response.service_tier': 'default',
      'gen_ai.response.finish_reasons': ['stop'],
      'gen_ai.response.time_to_first_chunk': expect.any(Number) as unknown,
      'costline.usage.missing': true,
    });
  });

  it('ends the span when the application breaks out of a stream early', async () => {
    const stream = await client.chat.completions.create({ model: 'gpt-4o-mini', messages, stream: true });
    for await (const _chunk of stream) break;
    const [span] = await waitForSpans(tracing, 'chat gpt-4o-mini');
    expect(span?.attributes['costline.usage.missing']).toBe(true);
    expect(span?.attributes['gen_ai.response.finish_reasons']).toBeUndefined();
  });

  it('records once when the stream is split with tee()', async () => {
    const stream = await client.chat.completions.create({
      model: 'gpt-4o-mini',
      messages,
      stream: true,
      stream_options: { include_usage: true },
    });
    const [left, right] = stream.tee();
    const count = async (s: AsyncIterable<unknown>): Promise<number> => {
      let n = 0;
      for await (const _chunk of s) n++;
      return n;
    };
    expect(await Promise.all([count(left), count(right)])).toEqual([5, 5]);
    const spans = await waitForSpans(tracing, 'chat gpt-4o-mini');
    expect(spans).toHaveLength(1);
    expect(spans[0]?.attributes['gen_ai.usage.input_tokens']).toBe(1200);
  });

  it('counts SDK retries: 429 then 200 is one span with resend_count 1', async () => {
    stub.failNext(429);
    const completion = await client.chat.completions.create({ model: 'gpt-4o-mini', messages });
    expect(completion.id).toBe('chatcmpl-B9MHDbslfkBeAs8l4bebGdFOJ6PeG');
    expect(stub.requests.map((r) => r.headers['x-stainless-retry-count'])).toEqual(['0', '1']);

    const spans = await waitForSpans(tracing, 'chat gpt-4o-mini');
    expect(spans).toHaveLength(1);
    expect(spans[0]?.attributes).toEqual({
      ...request(false),
      'gen_ai.response.id': 'chatcmpl-B9MHDbslfkBeAs8l4bebGdFOJ6PeG',
      'gen_ai.response.model': OPENAI_MODEL,
      'openai.response.service_tier': 'default',
      'gen_ai.response.finish_reasons': ['stop'],
      'http.request.resend_count': 1,
      ...usage,
    });
  });

  it('records a rejected call with its error type and no usage', async () => {
    stub.failNext(400);
    await expect(client.chat.completions.create({ model: 'gpt-4o-mini', messages })).rejects.toBeInstanceOf(
      OpenAI.BadRequestError,
    );
    const [span] = await waitForSpans(tracing, 'chat gpt-4o-mini');
    expect(span?.status).toEqual({ code: SpanStatusCode.ERROR, message: 'BadRequestError' });
    expect(span?.attributes).toEqual({
      ...request(false),
      'error.type': 'BadRequestError',
      'http.response.status_code': 400,
    });
  });

  it('numbers app-level retries inside an action and stamps the action on each call', async () => {
    stub.failNext(400);
    const result = await action('support-answer', async () => {
      try {
        await client.chat.completions.create({ model: 'gpt-4o-mini', messages });
      } catch {
        return (await client.chat.completions.create({ model: 'gpt-4o-mini', messages })).id;
      }
    });
    expect(result).toBe('chatcmpl-B9MHDbslfkBeAs8l4bebGdFOJ6PeG');
    const calls = await waitForSpans(tracing, 'chat gpt-4o-mini', 2);
    const [actionSpan] = tracing.byName('action support-answer');
    const actionId = actionSpan?.spanContext().spanId;
    expect(calls.map((s) => s.attributes['costline.retry.attempt'])).toEqual([0, 1]);
    for (const call of calls) {
      expect(call.attributes['costline.surface']).toBe('support-answer');
      expect(call.attributes['costline.action.id']).toBe(actionId);
      expect(call.parentSpanContext?.spanId).toBe(actionId);
    }
  });

  it('records an error that breaks a stream mid-way, and passes the error on', async () => {
    stub.errorNextStream();
    const stream = await client.chat.completions.create({
      model: 'gpt-4o-mini',
      messages,
      stream: true,
      stream_options: { include_usage: true },
    });
    const drain = async (): Promise<void> => {
      for await (const _chunk of stream) {
        // drain
      }
    };
    await expect(drain()).rejects.toBeInstanceOf(OpenAI.APIError);
    const [span] = await waitForSpans(tracing, 'chat gpt-4o-mini');
    expect(span?.status).toEqual({ code: SpanStatusCode.ERROR, message: 'APIError' });
    expect(span?.attributes).toEqual({
      ...request(true),
      'gen_ai.response.id': 'chatcmpl-C1stream',
      'gen_ai.response.model': OPENAI_MODEL,
      'openai.response.service_tier': 'default',
      'gen_ai.response.time_to_first_chunk': expect.any(Number) as unknown,
      'error.type': 'APIError',
    });
  });

  it('records no prompt or completion content', async () => {
    await client.chat.completions.create({ model: 'gpt-4o-mini', messages });
    const [span] = await waitForSpans(tracing, 'chat gpt-4o-mini');
    const recorded = JSON.stringify([span?.attributes, span?.events, span?.name]);
    expect(recorded).not.toContain('password');
    expect(recorded).not.toContain('support agent');
    expect(recorded).not.toContain('Settings');
  });

  it('never breaks the call when telemetry fails: a throwing tracer leaves the SDK call as it was', async () => {
    const broken = {
      getTracer: () => ({
        startSpan: () => {
          throw new Error('tracer exploded');
        },
        startActiveSpan: () => {
          throw new Error('tracer exploded');
        },
      }),
    };
    tracing.openai.setTracerProvider(broken);
    try {
      const promise = client.chat.completions.create({ model: 'gpt-4o-mini', messages });
      expect(typeof promise.asResponse).toBe('function');
      expect((await promise).id).toBe('chatcmpl-B9MHDbslfkBeAs8l4bebGdFOJ6PeG');
    } finally {
      tracing.openai.setTracerProvider(trace.getTracerProvider());
    }
    expect(tracing.byName('chat gpt-4o-mini')).toEqual([]);
  });
});
