import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import { TracerProvider, type ReadableSpan } from '@opentelemetry/sdk-trace';
import Anthropic from '@anthropic-ai/sdk';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { action } from '../src/index.ts';
import { ANTHROPIC_MODEL } from './support/provider-payloads.ts';
import { startProviderStub, type ProviderStub } from './support/provider-stub.ts';
import { startTestTracing, waitForSpans, type TestTracing } from './support/tracing.ts';

let stub: ProviderStub;
let tracing: TestTracing;
/** Native tracing off: Costline records the call. */
let plain: Anthropic;
/** Native tracing on (the SDK default): the SDK's own span records the call. */
let native: Anthropic;

beforeAll(async () => {
  tracing = startTestTracing();
  stub = await startProviderStub();
  plain = new Anthropic({ apiKey: 'sk-ant-test', baseURL: stub.url, openTelemetry: false });
  native = new Anthropic({ apiKey: 'sk-ant-test', baseURL: stub.url });
});
afterAll(async () => {
  await stub.close();
  await tracing.stop();
});
beforeEach(() => {
  stub.reset();
  tracing.reset();
});

const SYSTEM = [
  { type: 'text' as const, text: 'You are a support agent.' },
  {
    type: 'text' as const,
    text: 'Policy: be brief.',
    cache_control: { type: 'ephemeral' as const, ttl: '1h' as const },
  },
];
const SYSTEM_CHARS = 'You are a support agent.'.length + 'Policy: be brief.'.length;
const params = {
  model: 'claude-sonnet-4-5',
  max_tokens: 1024,
  system: SYSTEM,
  messages: [{ role: 'user' as const, content: 'How do I reset my password?' }],
};

const request = (stream: boolean) => ({
  'gen_ai.operation.name': 'chat',
  'gen_ai.provider.name': 'anthropic',
  'gen_ai.request.model': 'claude-sonnet-4-5',
  'gen_ai.request.stream': stream,
  'gen_ai.request.max_tokens': 1024,
  'server.address': '127.0.0.1',
  'costline.request.system_prompt_chars': SYSTEM_CHARS,
  'costline.retry.attempt': 0,
});
const usage = {
  'gen_ai.usage.input_tokens': 50 + 1000 + 1200,
  'gen_ai.usage.output_tokens': 300,
  'gen_ai.usage.cache_read.input_tokens': 1000,
  'gen_ai.usage.cache_write.input_tokens': 1200,
};

const modelCalls = (): ReadableSpan[] =>
  tracing.spans().filter((s) => s.attributes['gen_ai.operation.name'] === 'chat');

describe('anthropic messages.create, native tracing off', () => {
  it('records a plain call with 5m and 1h cache writes, input inclusive of cache', async () => {
    const message = await plain.messages.create(params);
    expect(message.content[0]).toEqual({ type: 'text', text: 'Reset it from Settings.' });

    const [span] = await waitForSpans(tracing, 'chat claude-sonnet-4-5');
    expect(span?.kind).toBe(SpanKind.CLIENT);
    expect(span?.instrumentationScope.name).toBe('@costline/instrument');
    expect(span?.attributes).toEqual({
      ...request(false),
      'gen_ai.response.id': 'msg_01XFDUDYJgAACzvnptvVoYEL',
      'gen_ai.response.model': ANTHROPIC_MODEL,
      'gen_ai.response.finish_reasons': ['end_turn'],
      ...usage,
      'anthropic.usage.cache_creation.ephemeral_5m_input_tokens': 200,
      'anthropic.usage.cache_creation.ephemeral_1h_input_tokens': 1000,
      'anthropic.usage.service_tier': 'standard',
    });
    expect(modelCalls()).toHaveLength(1);
  });

  it('records a stream with the cumulative message_delta usage (not added to message_start)', async () => {
    const stream = await plain.messages.create({ ...params, stream: true });
    const types: string[] = [];
    for await (const event of stream) types.push(event.type);
    expect(types.at(-1)).toBe('message_stop');

    const [span] = await waitForSpans(tracing, 'chat claude-sonnet-4-5');
    expect(span?.attributes).toEqual({
      ...request(true),
      'gen_ai.response.id': 'msg_01StreamXyz',
      'gen_ai.response.model': ANTHROPIC_MODEL,
      'gen_ai.response.finish_reasons': ['end_turn'],
      'gen_ai.response.time_to_first_chunk': expect.any(Number) as unknown,
      ...usage,
      'anthropic.usage.cache_creation.ephemeral_5m_input_tokens': 200,
      'anthropic.usage.cache_creation.ephemeral_1h_input_tokens': 1000,
      'anthropic.usage.service_tier': 'standard',
    });
  });

  it('records the messages.stream() helper through create', async () => {
    const final = await plain.messages.stream(params).finalMessage();
    expect(final.usage.output_tokens).toBe(300);
    const spans = await waitForSpans(tracing, 'chat claude-sonnet-4-5');
    expect(spans).toHaveLength(1);
    expect(spans[0]?.attributes['gen_ai.usage.output_tokens']).toBe(300);
  });

  it('records an in-stream error event as the call error, keeping what was seen', async () => {
    stub.errorNextStream();
    const stream = await plain.messages.create({ ...params, stream: true });
    const drain = async (): Promise<void> => {
      for await (const _event of stream) {
        // drain
      }
    };
    await expect(drain()).rejects.toBeInstanceOf(Anthropic.APIError);
    const [span] = await waitForSpans(tracing, 'chat claude-sonnet-4-5');
    expect(span?.status.code).toBe(SpanStatusCode.ERROR);
    expect(span?.attributes).toEqual({
      ...request(true),
      'gen_ai.response.id': 'msg_01StreamXyz',
      'gen_ai.response.model': ANTHROPIC_MODEL,
      'gen_ai.response.time_to_first_chunk': expect.any(Number) as unknown,
      'error.type': 'APIError',
    });
  });

  it('counts SDK retries and names errors', async () => {
    stub.failNext(529);
    await plain.messages.create(params);
    const [retried] = await waitForSpans(tracing, 'chat claude-sonnet-4-5');
    expect(retried?.attributes['http.request.resend_count']).toBe(1);

    tracing.reset();
    stub.failNext(400);
    await expect(plain.messages.create(params)).rejects.toBeInstanceOf(Anthropic.BadRequestError);
    const [failed] = await waitForSpans(tracing, 'chat claude-sonnet-4-5');
    expect(failed?.status).toEqual({ code: SpanStatusCode.ERROR, message: 'BadRequestError' });
    expect(failed?.attributes).toEqual({
      ...request(false),
      'error.type': 'BadRequestError',
      'http.response.status_code': 400,
    });
  });
});

describe('anthropic messages.create, native tracing on', () => {
  it('leaves the call to the SDK span, stamped with the action: exactly one model-call span', async () => {
    const id = await action('ticket-triage', async (a) => {
      await native.messages.create(params);
      a.success();
      return a.id;
    });
    const [nativeSpan] = await waitForSpans(tracing, 'anthropic.messages.create');
    await waitForSpans(tracing, 'action ticket-triage');
    expect(modelCalls()).toEqual([nativeSpan]);
    expect(nativeSpan?.instrumentationScope.name).toMatch(/^com\.anthropic\.sdk/);
    expect(nativeSpan?.parentSpanContext?.spanId).toBe(id);
    expect(nativeSpan?.attributes).toMatchObject({
      'costline.surface': 'ticket-triage',
      'costline.action.id': id,
      'costline.retry.attempt': 0,
      'costline.request.system_prompt_chars': SYSTEM_CHARS,
      'gen_ai.provider.name': 'anthropic',
      'gen_ai.usage.input_tokens': 2250,
      'gen_ai.usage.cache_write.input_tokens': 1200,
    });
  });

  it('leaves streams to the SDK span too', async () => {
    const stream = await native.messages.create({ ...params, stream: true });
    for await (const _event of stream) {
      // drain
    }
    await waitForSpans(tracing, 'anthropic.messages.create');
    expect(modelCalls()).toHaveLength(1);
  });

  it('leaves the messages.stream() helper to the span the helper starts: exactly one model-call span', async () => {
    const id = await action('ticket-triage', async (a) => {
      await native.messages.stream(params).finalMessage();
      a.success();
      return a.id;
    });
    const [nativeSpan] = await waitForSpans(tracing, 'anthropic.messages.create');
    await waitForSpans(tracing, 'action ticket-triage');
    expect(modelCalls()).toEqual([nativeSpan]);
    expect(nativeSpan?.attributes).toMatchObject({
      'costline.action.id': id,
      'costline.retry.attempt': 0,
      'costline.request.system_prompt_chars': SYSTEM_CHARS,
      'gen_ai.usage.cache_write.input_tokens': 1200,
    });
  });

  it('records its own span for a helper stream traced to a provider Costline does not see', async () => {
    const elsewhere = new Anthropic({
      apiKey: 'sk-ant-test',
      baseURL: stub.url,
      openTelemetry: { tracerProvider: new TracerProvider() },
    });
    await elsewhere.messages.stream(params).finalMessage();
    const spans = await waitForSpans(tracing, 'chat claude-sonnet-4-5');
    expect(modelCalls()).toEqual(spans);
    expect(spans[0]?.attributes['gen_ai.usage.input_tokens']).toBe(2250);
  });

  it('the SDK span counts its own retries (http.request.resend_count)', async () => {
    stub.failNext(429);
    await native.messages.create(params);
    const [nativeSpan] = await waitForSpans(tracing, 'anthropic.messages.create');
    expect(modelCalls()).toHaveLength(1);
    expect(nativeSpan?.attributes['http.request.resend_count']).toBe(1);
  });

  it('records its own span when the SDK traces to a provider Costline does not see', async () => {
    // The SDK's span goes to another (unexported) provider: without Costline's span the call would be lost.
    const elsewhere = new Anthropic({
      apiKey: 'sk-ant-test',
      baseURL: stub.url,
      openTelemetry: { tracerProvider: new TracerProvider() },
    });
    await elsewhere.messages.create(params);
    const spans = await waitForSpans(tracing, 'chat claude-sonnet-4-5');
    expect(modelCalls()).toEqual(spans);
    expect(spans[0]?.attributes['gen_ai.usage.input_tokens']).toBe(2250);
  });
});
