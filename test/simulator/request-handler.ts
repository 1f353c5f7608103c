/**
 * One HTTP request from arrival to record: route it, read the `x-sim-*` headers, decide a fault,
 * call the provider handler, record the outcome in the stats, write the response. Built without a
 * server so `create-simulator.ts` only owns the listening socket.
 *
 * Routes: OpenAI `POST /v1/chat/completions`, `/v1/responses`, `/v1/embeddings` (also under
 * Azure's `/openai/…` and `/openai/deployments/{name}/…` paths); Anthropic `POST /v1/messages` and
 * `/v1/messages/count_tokens`; Gemini API and Vertex AI `…/models/{model}:generateContent` and its
 * stream and embeddings (see `gemini.ts`); Bedrock `/model/{id}/converse` and `/converse-stream`.
 * Anything else is a 404 in the provider's error format — Anthropic's when the request carries
 * `anthropic-version` or `x-api-key`, else OpenAI's.
 *
 * @module
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AnthropicPromptCache } from './anthropic-prompt-cache.ts';
import { handleAnthropicCountTokens, handleAnthropicMessages } from './anthropic-messages.ts';
import {
  FAULT_ATTEMPTS_HEADER,
  FAULT_HEADER,
  parseFaultHeaders,
  type FaultController,
  type FaultDecision,
} from './faults.ts';
import { readBody, writeSimResponse } from './http-io.ts';
import { isRecord, parseJson, stringField } from './json-value.ts';
import { bedrockCall, handleBedrockConverse, type BedrockPromptCache } from './bedrock-converse.ts';
import { geminiCall, handleGeminiEmbed, handleGeminiGenerate, type GeminiCall } from './gemini.ts';
import { handleOpenAIChat } from './openai-chat.ts';
import { handleOpenAIEmbeddings } from './openai-embeddings.ts';
import { handleOpenAIResponses } from './openai-responses.ts';
import type { OpenAIPromptCache } from './openai-prompt-cache.ts';
import { errorResponse } from './provider-errors.ts';
import type { StatsRecorder } from './stats.ts';
import type { SimProvider, SimResponse, SimRoute } from './types.ts';
import { USAGE_HEADER, parseUsageHeader } from './usage-override.ts';

export interface RequestHandlerDeps {
  openaiCache: OpenAIPromptCache;
  anthropicCache: AnthropicPromptCache;
  bedrockCache: BedrockPromptCache;
  faults: FaultController;
  stats: StatsRecorder;
  now: () => number;
  latencyMs: number;
  tokenDelayMs: number;
  retryAfterMs: number | null;
}

const ROUTES: Readonly<Record<string, Exclude<SimRoute, 'not_found'>>> = {
  '/v1/chat/completions': 'openai.chat.completions',
  '/v1/responses': 'openai.responses',
  '/v1/embeddings': 'openai.embeddings',
  '/v1/messages': 'anthropic.messages',
  '/v1/messages/count_tokens': 'anthropic.count_tokens',
};

/** Azure OpenAI paths: `/openai/deployments/{name}/chat/completions`, `/openai/v1/responses`, … */
const AZURE_PATH = /^\/openai(?:\/deployments\/[^/]+|\/v1)?(\/chat\/completions|\/responses|\/embeddings)$/;

interface Resolved {
  route: Exclude<SimRoute, 'not_found'>;
  gemini?: GeminiCall;
  bedrock?: { modelId: string; stream: boolean };
}

function resolve(path: string): Resolved | undefined {
  const plain = ROUTES[path];
  if (plain) return { route: plain };
  const azure = AZURE_PATH.exec(path)?.[1];
  if (azure) return { route: ROUTES[`/v1${azure}`] ?? 'openai.chat.completions' };
  const gemini = geminiCall(path);
  if (gemini) {
    const route =
      gemini.method === 'generateContent'
        ? 'gemini.generate_content'
        : gemini.method === 'streamGenerateContent'
          ? 'gemini.stream_generate_content'
          : 'gemini.embed_content';
    return { route, gemini };
  }
  const bedrock = bedrockCall(path);
  if (bedrock) return { route: bedrock.stream ? 'bedrock.converse_stream' : 'bedrock.converse', bedrock };
  return undefined;
}

/** The attempt number the SDK sent: OpenAI/Anthropic `x-stainless-retry-count`, AWS `amz-sdk-request`. */
function retryCountOf(req: IncomingMessage): number {
  const stainless = header(req, 'x-stainless-retry-count');
  if (stainless !== undefined) return Number(stainless) || 0;
  const aws = /attempt=(\d+)/.exec(header(req, 'amz-sdk-request') ?? '')?.[1];
  return aws !== undefined ? Math.max(0, Number(aws) - 1) : 0;
}

function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function providerOf(route: SimRoute | undefined, req: IncomingMessage): SimProvider {
  if (route?.startsWith('openai.')) return 'openai';
  if (route?.startsWith('gemini.')) return 'gemini';
  if (route?.startsWith('bedrock.')) return 'bedrock';
  if (route !== undefined && route !== 'not_found') return 'anthropic';
  return header(req, 'anthropic-version') !== undefined || header(req, 'x-api-key') !== undefined
    ? 'anthropic'
    : 'openai';
}

const INVALID_JSON: Readonly<Record<SimProvider, string>> = {
  openai:
    "We could not parse the JSON body of your request. (HINT: This likely means you aren't using your " +
    'HTTP library correctly. The OpenAI API expects a JSON payload, but what was sent was not valid JSON.)',
  anthropic: 'There was an error parsing the body of your request: expected a JSON object.',
  gemini: 'Invalid JSON payload received.',
  bedrock: 'The request body is not valid JSON.',
};

export function createRequestHandler(
  deps: RequestHandlerDeps,
): (req: IncomingMessage, res: ServerResponse) => Promise<void> {
  return async (req, res) => {
    const startedAt = performance.now();
    const path = new URL(req.url ?? '/', 'http://simulator').pathname.replace(/\/+$/, '');
    const resolved = req.method === 'POST' ? resolve(path) : undefined;
    const known = resolved?.route;
    const route: SimRoute = known ?? 'not_found';
    const provider = providerOf(route, req);
    const retryCount = retryCountOf(req);
    const body = await readBody(req);

    let response: SimResponse;
    let model: string | undefined;
    let stream = false;
    let decision: FaultDecision | undefined;
    const fail = (status: number, message?: string): SimResponse =>
      errorResponse(provider, status, { ...(message ? { message } : {}), model }, deps.retryAfterMs);

    if (!known) {
      response = fail(
        404,
        provider === 'openai' ? `Invalid URL (${req.method ?? 'GET'} ${path})` : undefined,
      );
    } else if (!body.ok) {
      response = fail(413);
    } else {
      const parsed = parseJson(body.text);
      const json = parsed.ok ? parsed.value : undefined;
      if (isRecord(json)) {
        model = stringField(json, 'model');
        stream = json['stream'] === true;
      }
      if (resolved?.gemini) {
        model = resolved.gemini.model;
        stream = resolved.gemini.method === 'streamGenerateContent';
      }
      if (resolved?.bedrock) {
        model = resolved.bedrock.modelId;
        stream = resolved.bedrock.stream;
      }
      const faultHeader = parseFaultHeaders(header(req, FAULT_HEADER), header(req, FAULT_ATTEMPTS_HEADER));
      const usage = parseUsageHeader(header(req, USAGE_HEADER));
      if (faultHeader && 'error' in faultHeader) response = fail(400, faultHeader.error);
      else if (usage && 'error' in usage) response = fail(400, String(usage.error));
      else if (!parsed.ok) response = fail(400, INVALID_JSON[provider]);
      else {
        decision = deps.faults.decide(faultHeader, retryCount);
        if (decision && decision.fault !== 'disconnect') response = fail(decision.fault);
        else if (known === 'openai.chat.completions') {
          const azure = path.startsWith('/openai/');
          response = handleOpenAIChat(json, { cache: deps.openaiCache, now: deps.now, azure }, usage);
        } else if (known === 'openai.responses') {
          response = handleOpenAIResponses(json, { cache: deps.openaiCache, now: deps.now }, usage);
        } else if (known === 'openai.embeddings') {
          response = handleOpenAIEmbeddings(json, usage);
        } else if (resolved?.gemini) {
          response =
            resolved.gemini.method === 'embed'
              ? handleGeminiEmbed(resolved.gemini, json, usage)
              : handleGeminiGenerate(
                  resolved.gemini,
                  json,
                  { cache: deps.openaiCache, now: deps.now },
                  usage,
                );
        } else if (resolved?.bedrock) {
          response = handleBedrockConverse(resolved.bedrock, json, deps.bedrockCache, usage);
        } else if (known === 'anthropic.messages') {
          response = handleAnthropicMessages(json, { cache: deps.anthropicCache }, usage);
        } else response = handleAnthropicCountTokens(json);
      }
    }

    const requestId = response.headers['x-request-id'] ?? response.headers['request-id'];
    // Recorded before writing, so a client that has its answer always finds it in stats().
    deps.stats.record({
      route,
      status: response.status,
      ...(model !== undefined ? { model } : {}),
      stream,
      retryCount,
      ...(decision ? { fault: decision.reason } : {}),
      ...(response.usage !== undefined ? { usage: response.usage } : {}),
      ...(requestId !== undefined ? { requestId } : {}),
    });
    await writeSimResponse(res, response, {
      provider,
      startedAt,
      latencyMs: deps.latencyMs,
      tokenDelayMs: deps.tokenDelayMs,
      disconnect: decision?.fault === 'disconnect',
    });
  };
}
