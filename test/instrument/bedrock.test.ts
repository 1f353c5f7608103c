/**
 * `@aws-sdk/client-bedrock-runtime` through Costline's instrumentation against the provider
 * simulator: Converse and ConverseStream (AWS event-stream frames, usage in the `metadata` event),
 * `inputTokens` excluding the cache (folded into the input total), the SDK's own retries, errors
 * before inference, other commands passed through unrecorded.
 */

import { SpanStatusCode } from '@opentelemetry/api';
import {
  BedrockRuntimeClient,
  ConverseCommand,
  ConverseStreamCommand,
  CountTokensCommand,
  ThrottlingException,
  type ConverseCommandInput,
} from '@aws-sdk/client-bedrock-runtime';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createProviderSimulator, FAULT_HEADER, USAGE_HEADER } from '../simulator/index.ts';
import type { ProviderSimulator } from '../simulator/index.ts';
import { startTestTracing, waitForSpans, type TestTracing } from './support/tracing.ts';

const MODEL = 'anthropic.claude-3-5-haiku-20241022-v1:0';
const SYSTEM = 'You triage incidents.';
let sim: ProviderSimulator;
let tracing: TestTracing;
let client: BedrockRuntimeClient;
/** Headers for the next request (the AWS SDK has no per-call headers option): added by middleware. */
let nextHeaders: Record<string, string> = {};

beforeAll(async () => {
  tracing = startTestTracing();
  sim = createProviderSimulator();
  const { url } = await sim.start();
  client = new BedrockRuntimeClient({
    region: 'us-east-1',
    endpoint: url,
    credentials: { accessKeyId: 'AKIDTEST', secretAccessKey: 'secret' },
    // The default handler is HTTP/2; the simulator speaks HTTP/1.1.
    requestHandler: new NodeHttpHandler(),
    retryStrategy: undefined,
    maxAttempts: 3,
  });
  client.middlewareStack.add(
    (next) => async (args) => {
      const request = args.request as { headers: Record<string, string> };
      Object.assign(request.headers, nextHeaders);
      return next(args);
    },
    { step: 'build', name: 'simHeaders' },
  );
});
afterAll(async () => {
  await sim.stop();
  await tracing.stop();
});
beforeEach(() => {
  sim.reset();
  tracing.reset();
  nextHeaders = {};
});

const input = (extra: Partial<ConverseCommandInput> = {}): ConverseCommandInput => ({
  modelId: MODEL,
  system: [{ text: SYSTEM }],
  messages: [{ role: 'user', content: [{ text: 'Disk full on db-3, what now?' }] }],
  inferenceConfig: { maxTokens: 500 },
  ...extra,
});
const request = (stream: boolean) => ({
  'gen_ai.operation.name': 'chat',
  'gen_ai.provider.name': 'aws.bedrock',
  'gen_ai.request.model': MODEL,
  'gen_ai.request.stream': stream,
  'gen_ai.request.max_tokens': 500,
  'costline.request.system_prompt_chars': SYSTEM.length,
  'costline.retry.attempt': 0,
});
const USAGE = {
  inputTokens: 50,
  outputTokens: 300,
  totalTokens: 1550,
  cacheReadInputTokens: 1000,
  cacheWriteInputTokens: 200,
};
const USAGE_ATTRIBUTES = {
  'gen_ai.usage.input_tokens': 1250,
  'gen_ai.usage.output_tokens': 300,
  'gen_ai.usage.cache_read.input_tokens': 1000,
  'gen_ai.usage.cache_write.input_tokens': 200,
};

describe('bedrock Converse', () => {
  it('records the full attribute map; inputTokens (uncached) + cache read + write = input total', async () => {
    nextHeaders = { [USAGE_HEADER]: JSON.stringify(USAGE) };
    const output = await client.send(new ConverseCommand(input()));
    expect(output.usage).toEqual(USAGE);
    const [span] = await waitForSpans(tracing, `chat ${MODEL}`);
    expect(span?.attributes).toEqual({
      ...request(false),
      'gen_ai.response.finish_reasons': ['end_turn'],
      ...USAGE_ATTRIBUTES,
    });
  });

  it('a cachePoint writes the prefix, then reads it (usage as the simulator computed it)', async () => {
    const long = 'Runbook: '.repeat(600);
    const cached = input({ system: [{ text: long }, { cachePoint: { type: 'default' } }] });
    const first = await client.send(new ConverseCommand(cached));
    const second = await client.send(new ConverseCommand(cached));
    expect(first.usage?.cacheWriteInputTokens).toBeGreaterThan(0);
    expect(second.usage?.cacheReadInputTokens).toBe(first.usage?.cacheWriteInputTokens);
    const spans = await waitForSpans(tracing, `chat ${MODEL}`, 2);
    const total = (u: typeof first.usage) =>
      (u?.inputTokens ?? 0) + (u?.cacheReadInputTokens ?? 0) + (u?.cacheWriteInputTokens ?? 0);
    expect(spans[0]?.attributes['gen_ai.usage.input_tokens']).toBe(total(first.usage));
    expect(spans[1]?.attributes['gen_ai.usage.input_tokens']).toBe(total(second.usage));
    expect(spans[1]?.attributes['gen_ai.usage.cache_read.input_tokens']).toBe(
      second.usage?.cacheReadInputTokens,
    );
  });

  it('429 then success: the SDK retry shows as resend_count 1 on one span', async () => {
    nextHeaders = { [FAULT_HEADER]: '429', [USAGE_HEADER]: JSON.stringify(USAGE) };
    const output = await client.send(new ConverseCommand(input()));
    expect(output.$metadata.attempts).toBe(2);
    const spans = await waitForSpans(tracing, `chat ${MODEL}`);
    expect(spans).toHaveLength(1);
    expect(spans[0]?.attributes).toMatchObject({ 'http.request.resend_count': 1, ...USAGE_ATTRIBUTES });
  });

  it('throttled on every attempt: ThrottlingException, error.type and status, no usage', async () => {
    nextHeaders = { [FAULT_HEADER]: '429!' };
    await expect(client.send(new ConverseCommand(input()))).rejects.toBeInstanceOf(ThrottlingException);
    const [span] = await waitForSpans(tracing, `chat ${MODEL}`);
    expect(span?.status.code).toBe(SpanStatusCode.ERROR);
    expect(span?.attributes).toEqual({
      ...request(false),
      'http.request.resend_count': 2,
      'error.type': 'ThrottlingException',
      'http.response.status_code': 429,
    });
  });

  it('other commands are passed through unrecorded', async () => {
    await client
      .send(new CountTokensCommand({ modelId: MODEL, input: { converse: { messages: [] } } }))
      .catch(() => {
        // the simulator does not serve CountTokens: only the absence of a span matters here
      });
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(tracing.spans()).toEqual([]);
  });
});

describe('bedrock ConverseStream', () => {
  it('records the usage of the metadata event, with time to first chunk', async () => {
    nextHeaders = { [USAGE_HEADER]: JSON.stringify(USAGE) };
    const output = await client.send(new ConverseStreamCommand(input()));
    let text = '';
    let usage: unknown;
    for await (const event of output.stream ?? []) {
      text += event.contentBlockDelta?.delta?.text ?? '';
      if (event.metadata) usage = event.metadata.usage;
    }
    expect(text.length).toBeGreaterThan(0);
    expect(usage).toEqual(USAGE);
    const [span] = await waitForSpans(tracing, `chat ${MODEL}`);
    expect(span?.attributes).toEqual({
      ...request(true),
      'gen_ai.response.finish_reasons': ['end_turn'],
      'gen_ai.response.time_to_first_chunk': expect.any(Number) as unknown,
      ...USAGE_ATTRIBUTES,
    });
  });

  it('a stream cut before its metadata event is marked usage missing', async () => {
    const output = await client.send(new ConverseStreamCommand(input()));
    for await (const _event of output.stream ?? []) break;
    const [span] = await waitForSpans(tracing, `chat ${MODEL}`);
    expect(span?.attributes['costline.usage.missing']).toBe(true);
  });
});
