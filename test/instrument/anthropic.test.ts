/**
 * `@anthropic-ai/sdk` 1.16 through Costline's instrumentation against the provider simulator:
 * messages and beta messages, plain, streamed and through the `stream()` helper, cache writes by TTL
 * (5m / 1h) and reads computed by the simulator's prompt cache, thinking tokens, service tier; with
 * the SDK's own tracing off (Costline's span) and on (the SDK's span, stamped by Costline): one
 * span per call either way.
 */

import type { ReadableSpan } from '@opentelemetry/sdk-trace';
import Anthropic from '@anthropic-ai/sdk';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { action } from '@costline/instrument';
import { createProviderSimulator, FAULT_HEADER } from '../simulator/index.ts';
import type { ProviderSimulator } from '../simulator/index.ts';
import { startTestTracing, waitForSpans, type TestTracing } from './support/tracing.ts';

let sim: ProviderSimulator;
let tracing: TestTracing;
let plain: Anthropic;
let native: Anthropic;

beforeAll(async () => {
  tracing = startTestTracing();
  sim = createProviderSimulator();
  const { url } = await sim.start();
  plain = new Anthropic({ apiKey: 'sk-ant-test', baseURL: url, openTelemetry: false, maxRetries: 2 });
  native = new Anthropic({ apiKey: 'sk-ant-test', baseURL: url, maxRetries: 2 });
});
afterAll(async () => {
  await sim.stop();
  await tracing.stop();
});
beforeEach(() => {
  sim.reset();
  tracing.reset();
});

const POLICY = 'Refund policy: '.repeat(700);
const system = (ttl: '5m' | '1h') => [
  { type: 'text' as const, text: 'You are a billing agent.' },
  { type: 'text' as const, text: POLICY, cache_control: { type: 'ephemeral' as const, ttl } },
];
const SYSTEM_CHARS = 'You are a billing agent.'.length + POLICY.length;
const params = (ttl: '5m' | '1h') => ({
  model: 'claude-sonnet-4-5',
  max_tokens: 4000,
  system: system(ttl),
  messages: [{ role: 'user' as const, content: 'Can I get a refund for last month?' }],
});

/** Usage attributes from the usage the SDK handed the application. */
function expected(usage: Anthropic.Usage): Record<string, unknown> {
  const read = usage.cache_read_input_tokens ?? 0;
  const write = usage.cache_creation_input_tokens ?? 0;
  return {
    'gen_ai.usage.input_tokens': usage.input_tokens + read + write,
    'gen_ai.usage.output_tokens': usage.output_tokens,
    'gen_ai.usage.cache_read.input_tokens': read,
    'gen_ai.usage.cache_write.input_tokens': write,
    'anthropic.usage.cache_creation.ephemeral_5m_input_tokens':
      usage.cache_creation?.ephemeral_5m_input_tokens,
    'anthropic.usage.cache_creation.ephemeral_1h_input_tokens':
      usage.cache_creation?.ephemeral_1h_input_tokens,
    'anthropic.usage.service_tier': usage.service_tier,
  };
}

const calls = (): ReadableSpan[] =>
  tracing.spans().filter((s) => s.attributes['gen_ai.operation.name'] === 'chat');

describe('anthropic messages (SDK tracing off: Costline records the call)', () => {
  it('1h cache write then read: full attribute map, the split by TTL kept', async () => {
    const first = await plain.messages.create(params('1h'));
    const second = await plain.messages.create(params('1h'));
    expect(first.usage.cache_creation?.ephemeral_1h_input_tokens).toBeGreaterThan(0);
    expect(second.usage.cache_read_input_tokens).toBe(first.usage.cache_creation_input_tokens);
    const spans = await waitForSpans(tracing, 'chat claude-sonnet-4-5', 2);
    expect(spans[0]?.attributes).toEqual({
      'gen_ai.operation.name': 'chat',
      'gen_ai.provider.name': 'anthropic',
      'gen_ai.request.model': 'claude-sonnet-4-5',
      'gen_ai.request.stream': false,
      'gen_ai.request.max_tokens': 4000,
      'server.address': '127.0.0.1',
      'costline.request.system_prompt_chars': SYSTEM_CHARS,
      'costline.retry.attempt': 0,
      'gen_ai.response.id': first.id,
      'gen_ai.response.model': first.model,
      'gen_ai.response.finish_reasons': [first.stop_reason],
      ...expected(first.usage),
    });
    expect(spans[1]?.attributes).toMatchObject(expected(second.usage));
  });

  it('5m cache write through the messages.stream() helper: usage from the cumulative message_delta', async () => {
    const final = await plain.messages.stream(params('5m')).finalMessage();
    expect(final.usage.cache_creation?.ephemeral_5m_input_tokens).toBeGreaterThan(0);
    const [span] = await waitForSpans(tracing, 'chat claude-sonnet-4-5');
    expect(calls()).toHaveLength(1);
    expect(span?.attributes).toMatchObject({ 'gen_ai.request.stream': true, ...expected(final.usage) });
  });

  it('thinking tokens: reasoning inside output, from output_tokens_details', async () => {
    const message = await plain.messages.create({
      ...params('5m'),
      thinking: { type: 'enabled', budget_tokens: 2000 },
    });
    const thinking = (message.usage as { output_tokens_details?: { thinking_tokens: number } })
      .output_tokens_details?.thinking_tokens;
    expect(thinking).toBeGreaterThan(0);
    const [span] = await waitForSpans(tracing, 'chat claude-sonnet-4-5');
    expect(span?.attributes['gen_ai.usage.reasoning.output_tokens']).toBe(thinking);
    expect(span?.attributes['gen_ai.usage.output_tokens']).toBe(message.usage.output_tokens);
  });

  it('beta messages: plain and the beta stream() helper, one span each', async () => {
    const message = await plain.beta.messages.create(params('5m'));
    const streamed = await plain.beta.messages.stream(params('5m')).finalMessage();
    const spans = await waitForSpans(tracing, 'chat claude-sonnet-4-5', 2);
    expect(calls()).toHaveLength(2);
    expect(spans[0]?.attributes['gen_ai.usage.output_tokens']).toBe(message.usage.output_tokens);
    expect(spans[1]?.attributes['gen_ai.usage.output_tokens']).toBe(streamed.usage.output_tokens);
  });

  it('overloaded (529) then success: one span, resend_count 1', async () => {
    const message = await plain.messages.create(params('5m'), { headers: { [FAULT_HEADER]: '529' } });
    const [span] = await waitForSpans(tracing, 'chat claude-sonnet-4-5');
    expect(calls()).toHaveLength(1);
    expect(span?.attributes).toMatchObject({ 'http.request.resend_count': 1, ...expected(message.usage) });
  });
});

describe('anthropic messages (SDK tracing on: the SDK span is the call, stamped by Costline)', () => {
  it('plain, streamed, helper and beta: exactly one span per call, with Costline keys', async () => {
    await action('refunds', async () => {
      await native.messages.create(params('5m'));
      const stream = await native.messages.create({ ...params('5m'), stream: true });
      for await (const _event of stream) {
        // drain
      }
      await native.messages.stream(params('5m')).finalMessage();
      await native.beta.messages.create(params('5m'));
    });
    await new Promise((resolve) => setTimeout(resolve, 50));
    const spans = calls();
    expect(spans).toHaveLength(4);
    for (const span of spans) {
      expect(span.instrumentationScope.name).toMatch(/^com\.anthropic\.sdk/);
      expect(span.attributes['costline.surface']).toBe('refunds');
      expect(span.attributes['costline.retry.attempt']).toBe(0);
      expect(span.attributes['gen_ai.usage.input_tokens']).toBeGreaterThan(0);
    }
  });
});
