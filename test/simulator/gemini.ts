/**
 * Google Gemini, as the Gemini API (`/v1beta/models/{model}:…`, provider `gcp.gemini`) and Vertex AI
 * (`/v1beta1/[projects/…/locations/…/]publishers/google/models/{model}:…`, `gcp.vertex_ai`) serve it:
 * `generateContent`, `streamGenerateContent?alt=sse`, and embeddings (`batchEmbedContents` on the
 * Gemini API, `predict` on Vertex).
 *
 * `usageMetadata`: `promptTokenCount` includes `cachedContentTokenCount` (implicit caching of a
 * repeated prefix); `thoughtsTokenCount` is **not** inside `candidatesTokenCount`; `totalTokenCount`
 * is their sum. In a stream every chunk carries `usageMetadata` so far — cumulative, not increments:
 * the prompt counts repeat in each chunk and `candidatesTokenCount` grows.
 * Gemini API embeddings report no token counts; Vertex's `predict` reports them per instance.
 *
 * @module
 */
import { randomBytes } from 'node:crypto';
import { errorResponse } from './provider-errors.ts';
import { isRecord, numberField, recordField, stringField, type JsonObject } from './json-value.ts';
import type { OpenAIPromptCache } from './openai-prompt-cache.ts';
import { planOutput, seedNumbers, splitWords } from './output-plan.ts';
import { providerHeaders } from './provider-headers.ts';
import { totalTokens, type PromptSegment } from './prompt-segments.ts';
import { countContentTokens, countTextTokens } from './token-count.ts';
import type { SimResponse, SseEvent } from './types.ts';

export type GeminiMethod = 'generateContent' | 'streamGenerateContent' | 'embed';

export interface GeminiCall {
  model: string;
  method: GeminiMethod;
  vertex: boolean;
}

const PATH =
  /^\/(v1beta1|v1|v1beta)\/(?:projects\/[^/]+\/locations\/[^/]+\/)?(?:publishers\/google\/)?models\/([^/:]+):(generateContent|streamGenerateContent|batchEmbedContents|embedContent|predict)$/;

/** The call a Gemini or Vertex path names, or undefined for another path. */
export function geminiCall(path: string): GeminiCall | undefined {
  const m = PATH.exec(path);
  if (!m) return undefined;
  const [, version, model = '', verb] = m;
  const vertex = version === 'v1beta1' || path.includes('/publishers/');
  const method: GeminiMethod =
    verb === 'generateContent' || verb === 'streamGenerateContent' ? verb : 'embed';
  return { model, method, vertex };
}

function invalid(message: string): SimResponse {
  return errorResponse('gemini', 400, { message }, null);
}

/** Words per streamed chunk: Gemini sends a sentence-sized piece per chunk. */
const WORDS_PER_CHUNK = 8;

function partsTokens(content: unknown): number {
  return isRecord(content) ? countContentTokens(content['parts']) : 0;
}

function segmentsOf(body: JsonObject): PromptSegment[] {
  const segments: PromptSegment[] = [];
  const system = body['systemInstruction'];
  if (system !== undefined)
    segments.push({ key: `system:${JSON.stringify(system)}`, tokens: partsTokens(system) });
  const contents = Array.isArray(body['contents']) ? body['contents'] : [];
  for (const content of contents)
    segments.push({ key: JSON.stringify(content), tokens: partsTokens(content) });
  return segments;
}

/** 2.5 and newer models think unless `thinkingBudget: 0`. */
function thinks(
  model: string,
  config: JsonObject | undefined,
): { scale: number; budget?: number } | undefined {
  if (!/gemini-(2\.5|3)/.test(model)) return undefined;
  const budget = numberField(recordField(config ?? {}, 'thinkingConfig') ?? {}, 'thinkingBudget');
  if (budget === 0) return undefined;
  return { scale: 0.5, ...(budget !== undefined && budget > 0 ? { budget } : {}) };
}

export function handleGeminiGenerate(
  call: GeminiCall,
  body: unknown,
  deps: { cache: OpenAIPromptCache; now: () => number },
  usageOverride?: JsonObject,
): SimResponse {
  if (!isRecord(body)) return invalid('Invalid JSON payload received.');
  const contents = body['contents'];
  if (!Array.isArray(contents) || contents.length === 0) {
    return invalid('* GenerateContentRequest.contents: contents is not specified');
  }
  const segments = segmentsOf(body);
  const prompt = totalTokens(segments);
  const cached = deps.cache.lookupAndStore(`gemini:${call.model}`, segments);
  const config = recordField(body, 'generationConfig');
  const plan = planOutput(
    `${call.model}\n${JSON.stringify(body['systemInstruction'] ?? null)}\n${JSON.stringify(contents)}`,
    {
      maxTokens: numberField(config ?? {}, 'maxOutputTokens'),
      reasoning: thinks(call.model, config),
    },
  );
  const usageAt = (candidates: number): JsonObject => ({
    promptTokenCount: prompt,
    ...(candidates > 0 ? { candidatesTokenCount: candidates } : {}),
    totalTokenCount: prompt + candidates + plan.reasoningTokens,
    ...(cached > 0 ? { cachedContentTokenCount: cached } : {}),
    promptTokensDetails: [{ modality: 'TEXT', tokenCount: prompt }],
    ...(cached > 0 ? { cacheTokensDetails: [{ modality: 'TEXT', tokenCount: cached }] } : {}),
    ...(candidates > 0 && call.vertex
      ? { candidatesTokensDetails: [{ modality: 'TEXT', tokenCount: candidates }] }
      : {}),
    ...(plan.reasoningTokens > 0 ? { thoughtsTokenCount: plan.reasoningTokens } : {}),
    ...(call.vertex ? { trafficType: 'ON_DEMAND' } : {}),
  });
  const usage: JsonObject = usageOverride ?? usageAt(plan.textTokens);
  const responseId = randomBytes(12).toString('base64url');
  const envelope = {
    modelVersion: call.model,
    ...(call.vertex ? { createTime: new Date(deps.now()).toISOString() } : {}),
    responseId,
  };
  const finish = plan.truncated ? 'MAX_TOKENS' : 'STOP';
  const candidate = (text: string, finishReason: string | undefined) => ({
    content: { parts: [{ text }], role: 'model' },
    ...(finishReason ? { finishReason } : {}),
    index: 0,
  });
  const headers = providerHeaders('gemini');
  if (call.method === 'generateContent') {
    const json = { candidates: [candidate(plan.text, finish)], usageMetadata: usage, ...envelope };
    return {
      kind: 'json',
      status: 200,
      headers,
      body: json,
      tokens: plan.reasoningTokens + plan.textTokens,
      usage,
    };
  }
  const pieces = splitWords(plan.text, WORDS_PER_CHUNK);
  if (pieces.length === 0) pieces.push('');
  let sent = 0;
  const events: SseEvent[] = pieces.map((piece, i) => {
    const words = piece.trim() === '' ? 0 : piece.trim().split(' ').length;
    sent += words;
    const last = i === pieces.length - 1;
    // Cumulative: each chunk reports the usage so far; the last one the billed usage.
    const chunkUsage = last ? usage : usageAt(sent);
    const data = {
      candidates: [candidate(piece, last ? finish : undefined)],
      usageMetadata: chunkUsage,
      ...envelope,
    };
    return { data: JSON.stringify(data), tokens: words + (i === 0 ? plan.reasoningTokens : 0) };
  });
  return { kind: 'sse', status: 200, headers, events, usage };
}

function values(text: string): number[] {
  const [a, b] = seedNumbers(text);
  return Array.from({ length: 8 }, (_, i) => (((i % 2 === 0 ? a : b) >>> (i * 4)) & 0xff) / 255 - 0.5);
}

function textOf(content: unknown): string {
  if (typeof content === 'string') return content;
  if (!isRecord(content) || !Array.isArray(content['parts'])) return '';
  return content['parts'].map((p) => (isRecord(p) ? (stringField(p, 'text') ?? '') : '')).join('');
}

export function handleGeminiEmbed(call: GeminiCall, body: unknown, usageOverride?: JsonObject): SimResponse {
  if (!isRecord(body)) return invalid('Invalid JSON payload received.');
  const headers = providerHeaders('gemini');
  if (call.vertex) {
    const instances = Array.isArray(body['instances']) ? body['instances'] : [];
    if (instances.length === 0) return invalid('instances is empty');
    const texts = instances.map((i) => textOf(isRecord(i) ? i['content'] : i));
    const predictions = texts.map((t) => ({
      embeddings: { values: values(t), statistics: { truncated: false, token_count: countTextTokens(t) } },
    }));
    const metadata = { billableCharacterCount: texts.reduce((s, t) => s + t.replace(/\s/g, '').length, 0) };
    const usage = usageOverride ?? { token_count: texts.reduce((s, t) => s + countTextTokens(t), 0) };
    return { kind: 'json', status: 200, headers, body: { predictions, metadata }, tokens: 0, usage };
  }
  const requests = Array.isArray(body['requests']) ? body['requests'] : [];
  if (requests.length === 0) return invalid('* BatchEmbedContentsRequest.requests: requests is empty');
  const embeddings = requests.map((r) => ({
    values: values(textOf(isRecord(r) ? r['content'] : undefined)),
  }));
  return { kind: 'json', status: 200, headers, body: { embeddings }, tokens: 0 };
}
