/**
 * Actions around real SDK calls (the simulator behind them): customer, nested actions, SDK and app
 * retries counted on the action, tool and retrieval spans attributed to it, cache hits and early
 * exits, an outcome recorded after the action ended, errors before inference; and a fault inside
 * Costline's own code never changing what the application's call returns.
 */

import {
  context,
  SpanStatusCode,
  trace,
  type Span,
  type Tracer,
  type TracerProvider,
} from '@opentelemetry/api';
import type { ReadableSpan } from '@opentelemetry/sdk-trace';
import Anthropic from '@anthropic-ai/sdk';
import { BedrockRuntimeClient, ConverseCommand } from '@aws-sdk/client-bedrock-runtime';
import { GoogleGenAI } from '@google/genai';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import OpenAI from 'openai';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { action, OutcomeError, recordOutcome } from '@costline/instrument';
import { createProviderSimulator, FAULT_HEADER } from '../simulator/index.ts';
import type { ProviderSimulator } from '../simulator/index.ts';
import { startTestTracing, waitForSpans, type TestTracing } from './support/tracing.ts';

let sim: ProviderSimulator;
let tracing: TestTracing;
let openai: OpenAI;
let anthropic: Anthropic;
let gemini: GoogleGenAI;
let bedrock: BedrockRuntimeClient;

beforeAll(async () => {
  tracing = startTestTracing();
  sim = createProviderSimulator({ retryAfterMs: 20 });
  const { url } = await sim.start();
  openai = new OpenAI({ apiKey: 'sk-test', baseURL: `${url}/v1` });
  anthropic = new Anthropic({ apiKey: 'sk-ant-test', baseURL: url, openTelemetry: false });
  gemini = new GoogleGenAI({ apiKey: 'g-test', httpOptions: { baseUrl: url } });
  bedrock = new BedrockRuntimeClient({
    region: 'us-east-1',
    endpoint: url,
    credentials: { accessKeyId: 'AKIDTEST', secretAccessKey: 'secret' },
    requestHandler: new NodeHttpHandler(),
  });
});
afterAll(async () => {
  await sim.stop();
  await tracing.stop();
});
beforeEach(() => {
  sim.reset();
  tracing.reset();
});

const messages = [{ role: 'user' as const, content: 'Where is my order?' }];
const only = (name: string): ReadableSpan => {
  const spans = tracing.byName(name);
  expect(spans).toHaveLength(1);
  return spans[0]!;
};

describe('actions around SDK calls', () => {
  it('nested actions: each call belongs to the innermost action, the customer is inherited', async () => {
    await action(
      'order-status',
      async () => {
        await openai.chat.completions.create({ model: 'gpt-4o-mini', messages });
        await action('order-lookup', () =>
          anthropic.messages.create({ model: 'claude-haiku-4-5', max_tokens: 200, messages }),
        );
      },
      { customer: 'acme' },
    );
    await waitForSpans(tracing, 'action order-status');
    const outer = only('action order-status');
    const inner = only('action order-lookup');
    const chat = only('chat gpt-4o-mini');
    const messagesSpan = only('chat claude-haiku-4-5');
    expect(inner.parentSpanContext?.spanId).toBe(outer.spanContext().spanId);
    expect(chat.attributes).toMatchObject({
      'costline.surface': 'order-status',
      'costline.action.id': outer.spanContext().spanId,
      'costline.customer.id': 'acme',
    });
    expect(messagesSpan.attributes).toMatchObject({
      'costline.surface': 'order-lookup',
      'costline.action.id': inner.spanContext().spanId,
      'costline.customer.id': 'acme',
    });
  });

  it('SDK and app retries: counted and timed on the action', async () => {
    await action('order-status', async () => {
      // An SDK retry inside one call (429, then success after the simulator's retry-after)…
      await openai.chat.completions.create(
        { model: 'gpt-4o-mini', messages },
        { headers: { [FAULT_HEADER]: '429' } },
      );
      // …and an app retry: the same model again after a call failed.
      try {
        await openai.chat.completions.create(
          { model: 'gpt-4o', messages },
          { headers: { [FAULT_HEADER]: '400' } },
        );
      } catch {
        await openai.chat.completions.create({ model: 'gpt-4o', messages });
      }
    });
    await waitForSpans(tracing, 'action order-status');
    const span = only('action order-status');
    expect(span.attributes['costline.action.retries']).toBe(2);
    expect(span.attributes['costline.action.retry_ms']).toBeGreaterThanOrEqual(15);
    const retried = tracing.byName('chat gpt-4o');
    expect(retried.map((s) => s.attributes['costline.retry.attempt'])).toEqual([0, 1]);
    expect(only('chat gpt-4o-mini').attributes['http.request.resend_count']).toBe(1);
  });

  it('tool and retrieval spans inside an action are attributed to it', async () => {
    const tracer = trace.getTracer('app');
    await action('order-status', async (a) => {
      await tracer.startActiveSpan('retrieval orders-index', async (span: Span) => {
        span.setAttribute('gen_ai.operation.name', 'retrieval');
        await Promise.resolve();
        span.end();
      });
      const tool = tracer.startSpan('execute_tool lookup_order');
      tool.setAttribute('gen_ai.operation.name', 'execute_tool');
      tool.end();
      a.success();
    });
    const id = only('action order-status').spanContext().spanId;
    for (const name of ['retrieval orders-index', 'execute_tool lookup_order']) {
      expect(only(name).attributes).toMatchObject({
        'costline.surface': 'order-status',
        'costline.action.id': id,
      });
    }
  });

  it('cacheHit({ avoidedModel }) and earlyExit(rule): answered without a model, success', () => {
    action('faq', (a) => a.cacheHit({ avoidedModel: 'gpt-4o', avoidedProvider: 'openai' }));
    action('faq', (a) => a.earlyExit('empty-input'));
    const [hit, exit] = tracing.byName('action faq');
    expect(hit?.attributes).toMatchObject({
      'costline.action.outcome': 'success',
      'costline.app_cache.hit': true,
    });
    expect(exit?.attributes).toMatchObject({
      'costline.action.outcome': 'success',
      'costline.early_exit.rule': 'empty-input',
    });
    const cacheSpans = tracing.byName('app_cache faq');
    expect(cacheSpans.map((s) => s.attributes['costline.app_cache.avoided_model'])).toEqual([
      'gpt-4o',
      undefined,
    ]);
  });

  it('an outcome recorded after the action ended, by action id, in another trace', async () => {
    const handle = await action('order-status', async (a) => {
      await openai.chat.completions.create({ model: 'gpt-4o-mini', messages });
      a.success();
      return { id: a.id, traceId: a.traceId };
    });
    // Later, elsewhere (e.g. the user's feedback request), inside another action even.
    action('feedback', () =>
      recordOutcome(handle.id, 'failure', 'user_rejected', { traceId: handle.traceId }),
    );
    const outcome = only(`outcome ${handle.id}`);
    expect(outcome.attributes).toEqual({
      'costline.span.kind': 'outcome',
      'costline.action.id': handle.id,
      'costline.action.outcome': 'failure',
      'costline.action.failure_reason': 'user_rejected',
      'costline.action.trace_id': handle.traceId,
    });
    expect(outcome.links.map((l) => l.context.spanId)).toEqual([handle.id]);
    expect(outcome.spanContext().traceId).toBe(only('action feedback').spanContext().traceId);
    expect(() => recordOutcome('not-an-id', 'failure')).toThrow(OutcomeError);
    expect(() => recordOutcome(handle.id, 'maybe' as 'success')).toThrow(/outcome must be/);
  });

  it('errors before inference (400, connection) have error.type and no usage; the action fails', async () => {
    await expect(
      action('order-status', () =>
        openai.chat.completions.create(
          { model: 'gpt-4o-mini', messages },
          { headers: { [FAULT_HEADER]: '400' } },
        ),
      ),
    ).rejects.toBeInstanceOf(OpenAI.BadRequestError);
    await expect(
      anthropic.messages.create(
        { model: 'claude-haiku-4-5', max_tokens: 100, messages },
        { headers: { [FAULT_HEADER]: 'disconnect!' }, maxRetries: 0 },
      ),
    ).rejects.toBeInstanceOf(Anthropic.APIConnectionError);
    const bad = only('chat gpt-4o-mini');
    const lost = only('chat claude-haiku-4-5');
    expect(bad.attributes).toMatchObject({
      'error.type': 'BadRequestError',
      'http.response.status_code': 400,
    });
    expect(lost.attributes['error.type']).toBe('APIConnectionError');
    for (const span of [bad, lost]) {
      expect(span.status.code).toBe(SpanStatusCode.ERROR);
      expect(Object.keys(span.attributes).filter((k) => k.startsWith('gen_ai.usage.'))).toEqual([]);
    }
    expect(only('action order-status').attributes).toMatchObject({
      'costline.action.outcome': 'failure',
      'costline.action.failure_reason': 'BadRequestError',
    });
  });
});

describe('privacy', () => {
  it('no prompt, system prompt or completion text on any span, for every SDK; the system prompt size only', async () => {
    const SECRET = 'Customer 4242-secret-card wants a refund';
    const SYSTEM = 'Internal policy: never-reveal-this-prompt.';
    const texts: string[] = [];
    const chat = await openai.chat.completions.create({
      model: 'gpt-4o-mini',
      messages: [
        { role: 'system', content: SYSTEM },
        { role: 'user', content: SECRET },
      ],
    });
    texts.push(chat.choices[0]?.message.content ?? '');
    const response = await openai.responses.create({
      model: 'gpt-4o-mini',
      instructions: SYSTEM,
      input: SECRET,
    });
    texts.push(response.output_text);
    await openai.embeddings.create({ model: 'text-embedding-3-small', input: SECRET });
    const message = await anthropic.messages.create({
      model: 'claude-haiku-4-5',
      max_tokens: 200,
      system: SYSTEM,
      messages: [{ role: 'user', content: SECRET }],
    });
    texts.push(message.content.map((b) => (b.type === 'text' ? b.text : '')).join(''));
    const generated = await gemini.models.generateContent({
      model: 'gemini-2.0-flash',
      contents: SECRET,
      config: { systemInstruction: SYSTEM },
    });
    texts.push(generated.text ?? '');
    const converse = await bedrock.send(
      new ConverseCommand({
        modelId: 'amazon.nova-lite-v1:0',
        system: [{ text: SYSTEM }],
        messages: [{ role: 'user', content: [{ text: SECRET }] }],
      }),
    );
    texts.push(converse.output?.message?.content?.[0]?.text ?? '');
    await new Promise((resolve) => setTimeout(resolve, 50));
    const spans = tracing.spans().filter((s) => s.attributes['gen_ai.operation.name']);
    expect(spans).toHaveLength(6);
    const recorded = JSON.stringify(spans.map((s) => [s.name, s.attributes, s.events]));
    for (const text of [SECRET, '4242', SYSTEM, 'never-reveal', ...texts.map((t) => t.slice(0, 40))]) {
      expect(text.length).toBeGreaterThan(0);
      expect(recorded).not.toContain(text);
    }
    const sizes = spans
      .filter((s) => s.attributes['gen_ai.operation.name'] !== 'embeddings')
      .map((s) => s.attributes['costline.request.system_prompt_chars']);
    expect(sizes).toEqual([SYSTEM.length, SYSTEM.length, SYSTEM.length, SYSTEM.length, SYSTEM.length]);
  });
});

/** A tracer provider whose spans throw from every method: Costline's recording fails everywhere. */
function explodingProvider(): TracerProvider {
  const boom = (): never => {
    throw new Error('telemetry exploded');
  };
  const span = new Proxy({}, { get: () => boom }) as Span;
  const tracer: Tracer = {
    startSpan: () => span,
    startActiveSpan: boom,
  };
  return { getTracer: () => tracer };
}

describe('a fault inside a patch never reaches the application', () => {
  it('every SDK still returns its normal result when each span method throws', async () => {
    const provider = explodingProvider();
    for (const instrumentation of [tracing.openai, tracing.genai, tracing.bedrock]) {
      instrumentation.setTracerProvider(provider);
    }
    try {
      const chat = await openai.chat.completions.create({ model: 'gpt-4o-mini', messages });
      expect(chat.choices[0]?.message.content).toBeTruthy();
      const stream = await openai.chat.completions.create({
        model: 'gpt-4o-mini',
        messages,
        stream: true,
        stream_options: { include_usage: true },
      });
      let text = '';
      for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? '';
      expect(text).toBe(chat.choices[0]?.message.content);
      const response = await openai.responses.create({ model: 'gpt-4o-mini', input: 'Where is my order?' });
      expect(response.output_text.length).toBeGreaterThan(0);
      const generated = await gemini.models.generateContent({
        model: 'gemini-2.0-flash',
        contents: 'Where?',
      });
      expect(generated.text?.length).toBeGreaterThan(0);
      const chunks = await gemini.models.generateContentStream({
        model: 'gemini-2.0-flash',
        contents: 'Where?',
      });
      let streamed = '';
      for await (const chunk of chunks) streamed += chunk.text ?? '';
      expect(streamed).toBe(generated.text);
      const converse = await bedrock.send(
        new ConverseCommand({
          modelId: 'amazon.nova-lite-v1:0',
          messages: [{ role: 'user', content: [{ text: 'Where?' }] }],
        }),
      );
      expect(converse.output?.message?.content?.[0]?.text?.length).toBeGreaterThan(0);
    } finally {
      for (const instrumentation of [tracing.openai, tracing.genai, tracing.bedrock]) {
        instrumentation.setTracerProvider(trace.getTracerProvider());
      }
    }
    expect(tracing.spans().filter((s) => s.attributes['gen_ai.operation.name'])).toEqual([]);
    // The context is left as it was: no span or call leaks into the application's context.
    expect(trace.getSpan(context.active())).toBeUndefined();
  });
});
