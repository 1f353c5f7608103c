/**
 * `@google/genai` through Costline's instrumentation against the provider simulator, as the Gemini
 * API (`gcp.gemini`) and Vertex AI (`gcp.vertex_ai`): generateContent, generateContentStream
 * (cumulative usageMetadata per chunk: the last one counts, never the sum), embedContent, thoughts
 * tokens outside candidatesTokenCount, errors before inference.
 */

import { SpanStatusCode } from '@opentelemetry/api';
import { ApiError, GoogleGenAI } from '@google/genai';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { action } from '@costline/instrument';
import { createProviderSimulator, FAULT_HEADER, USAGE_HEADER } from '../simulator/index.ts';
import type { ProviderSimulator } from '../simulator/index.ts';
import { startTestTracing, waitForSpans, type TestTracing } from './support/tracing.ts';

let sim: ProviderSimulator;
let tracing: TestTracing;
let gemini: GoogleGenAI;
let vertex: GoogleGenAI;

const SYSTEM = 'You summarise support tickets.';
const USAGE = {
  promptTokenCount: 1200,
  candidatesTokenCount: 300,
  thoughtsTokenCount: 150,
  cachedContentTokenCount: 1000,
  totalTokenCount: 1650,
};
const USAGE_ATTRIBUTES = {
  'gen_ai.usage.input_tokens': 1200,
  'gen_ai.usage.output_tokens': 450,
  'gen_ai.usage.cache_read.input_tokens': 1000,
  'gen_ai.usage.reasoning.output_tokens': 150,
};

beforeAll(async () => {
  tracing = startTestTracing();
  sim = createProviderSimulator();
  const { url } = await sim.start();
  gemini = new GoogleGenAI({ apiKey: 'g-test', httpOptions: { baseUrl: url } });
  vertex = new GoogleGenAI({ vertexai: true, apiKey: 'v-test', httpOptions: { baseUrl: url } });
});
afterAll(async () => {
  await sim.stop();
  await tracing.stop();
});
beforeEach(() => {
  sim.reset();
  tracing.reset();
});

const request = (provider: string, stream: boolean) => ({
  'gen_ai.operation.name': 'generate_content',
  'gen_ai.provider.name': provider,
  'gen_ai.request.model': 'gemini-2.5-flash',
  'gen_ai.request.stream': stream,
  'gen_ai.request.max_tokens': 800,
  'server.address': '127.0.0.1',
  'costline.request.system_prompt_chars': SYSTEM.length,
  'costline.retry.attempt': 0,
});
const config = (usage?: unknown) => ({
  systemInstruction: SYSTEM,
  maxOutputTokens: 800,
  ...(usage ? { httpOptions: { headers: { [USAGE_HEADER]: JSON.stringify(usage) } } } : {}),
});

describe('@google/genai generateContent', () => {
  it('Gemini API: full attribute map; output = candidates + thoughts', async () => {
    const response = await gemini.models.generateContent({
      model: 'gemini-2.5-flash',
      contents: 'Summarise ticket 4411.',
      config: config(USAGE),
    });
    expect(response.text?.length).toBeGreaterThan(0);
    const [span] = await waitForSpans(tracing, 'generate_content gemini-2.5-flash');
    expect(span?.attributes).toEqual({
      ...request('gcp.gemini', false),
      'gen_ai.response.id': response.responseId,
      'gen_ai.response.model': 'gemini-2.5-flash',
      'gen_ai.response.finish_reasons': [response.candidates?.[0]?.finishReason],
      ...USAGE_ATTRIBUTES,
    });
  });

  it('Vertex AI client is gcp.vertex_ai, with the usage the simulator computed', async () => {
    const response = await vertex.models.generateContent({
      model: 'gemini-2.5-flash',
      contents: 'Summarise ticket 4411.',
      config: config(),
    });
    const usage = response.usageMetadata;
    expect(usage?.thoughtsTokenCount).toBeGreaterThan(0);
    const [span] = await waitForSpans(tracing, 'generate_content gemini-2.5-flash');
    expect(span?.attributes).toEqual({
      ...request('gcp.vertex_ai', false),
      'gen_ai.response.id': response.responseId,
      'gen_ai.response.model': 'gemini-2.5-flash',
      'gen_ai.response.finish_reasons': [response.candidates?.[0]?.finishReason],
      'gen_ai.usage.input_tokens': usage?.promptTokenCount,
      'gen_ai.usage.output_tokens': (usage?.candidatesTokenCount ?? 0) + (usage?.thoughtsTokenCount ?? 0),
      'gen_ai.usage.reasoning.output_tokens': usage?.thoughtsTokenCount,
    });
  });

  it('a chat session (chats.create().sendMessage) is one span per model call', async () => {
    const chat = gemini.chats.create({ model: 'gemini-2.5-flash', config: config() });
    await chat.sendMessage({ message: 'First question.' });
    await chat.sendMessage({ message: 'Second question.' });
    const spans = await waitForSpans(tracing, 'generate_content gemini-2.5-flash', 2);
    expect(spans).toHaveLength(2);
  });
});

describe('@google/genai generateContentStream', () => {
  it('takes the last cumulative usageMetadata, never the sum of the chunks', async () => {
    const stream = await gemini.models.generateContentStream({
      model: 'gemini-2.5-flash',
      contents: 'Summarise ticket 4411 at length.',
      config: config(),
    });
    let chunks = 0;
    let last: { promptTokenCount?: number; candidatesTokenCount?: number; thoughtsTokenCount?: number } = {};
    let text = '';
    for await (const chunk of stream) {
      chunks++;
      text += chunk.text ?? '';
      last = chunk.usageMetadata ?? last;
    }
    expect(chunks).toBeGreaterThan(2);
    expect(text.length).toBeGreaterThan(0);
    const [span] = await waitForSpans(tracing, 'generate_content gemini-2.5-flash');
    expect(span?.attributes).toEqual({
      ...request('gcp.gemini', true),
      'gen_ai.response.id': expect.any(String) as unknown,
      'gen_ai.response.model': 'gemini-2.5-flash',
      'gen_ai.response.finish_reasons': [expect.stringMatching(/^(STOP|MAX_TOKENS)$/)],
      'gen_ai.response.time_to_first_chunk': expect.any(Number) as unknown,
      'gen_ai.usage.input_tokens': last.promptTokenCount,
      'gen_ai.usage.output_tokens': (last.candidatesTokenCount ?? 0) + (last.thoughtsTokenCount ?? 0),
      'gen_ai.usage.reasoning.output_tokens': last.thoughtsTokenCount,
    });
  });

  it('breaking out early ends the span with the usage seen so far', async () => {
    const stream = await gemini.models.generateContentStream({
      model: 'gemini-2.5-flash',
      contents: 'Summarise ticket 4411 at length.',
      config: config(),
    });
    for await (const _chunk of stream) break;
    const [span] = await waitForSpans(tracing, 'generate_content gemini-2.5-flash');
    expect(span?.attributes['gen_ai.response.finish_reasons']).toBeUndefined();
    expect(span?.status.code).toBe(SpanStatusCode.UNSET);
  });
});

describe('@google/genai embedContent and errors', () => {
  it('Gemini API embeddings report no tokens: usage is marked missing', async () => {
    const result = await gemini.models.embedContent({
      model: 'gemini-embedding-001',
      contents: 'refund policy',
    });
    expect(result.embeddings).toHaveLength(1);
    const [span] = await waitForSpans(tracing, 'embeddings gemini-embedding-001');
    expect(span?.attributes).toEqual({
      'gen_ai.operation.name': 'embeddings',
      'gen_ai.provider.name': 'gcp.gemini',
      'gen_ai.request.model': 'gemini-embedding-001',
      'server.address': '127.0.0.1',
      'costline.retry.attempt': 0,
      'costline.usage.missing': true,
    });
  });

  it('Vertex embeddings: input tokens from each embedding statistics', async () => {
    const result = await vertex.models.embedContent({
      model: 'text-embedding-005',
      contents: 'refund policy',
    });
    const tokens = result.embeddings?.[0]?.statistics?.tokenCount;
    expect(tokens).toBe(4);
    const [span] = await waitForSpans(tracing, 'embeddings text-embedding-005');
    expect(span?.attributes).toMatchObject({
      'gen_ai.provider.name': 'gcp.vertex_ai',
      'gen_ai.usage.input_tokens': 4,
    });
  });

  it('a 429 before inference: error.type and status, no usage, inside the action', async () => {
    await expect(
      action('ticket-summary', () =>
        gemini.models.generateContent({
          model: 'gemini-2.5-flash',
          contents: 'Summarise ticket 4411.',
          config: { ...config(), httpOptions: { headers: { [FAULT_HEADER]: '429!' } } },
        }),
      ),
    ).rejects.toBeInstanceOf(ApiError);
    const [span] = await waitForSpans(tracing, 'generate_content gemini-2.5-flash');
    expect(span?.status.code).toBe(SpanStatusCode.ERROR);
    expect(span?.attributes).toEqual({
      ...request('gcp.gemini', false),
      'costline.surface': 'ticket-summary',
      'costline.action.id': expect.stringMatching(/^[0-9a-f]{16}$/) as unknown,
      'error.type': 'ApiError',
      'http.response.status_code': 429,
    });
  });
});
