/**
 * One HTTP request from arrival to record: route it, read the `x-sim-*` headers, decide a fault,
 * call the provider handler, record the outcome in the stats, write the response. Built without a
 * server so `create-simulator.ts` only owns the listening socket.
 *
 * Routes: `POST /v1/chat/completions` (OpenAI), `POST /v1/messages` and
 * `POST /v1/messages/count_tokens` (Anthropic). Anything else is a 404 in the provider's error
 * format — Anthropic's when the request carries `anthropic-version` or `x-api-key`, else OpenAI's.
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
import { handleOpenAIChat } from './openai-chat.ts';
import type { OpenAIPromptCache } from './openai-prompt-cache.ts';
import { errorResponse } from './provider-errors.ts';
import type { StatsRecorder } from './stats.ts';
import type { SimProvider, SimResponse, SimRoute } from './types.ts';
import { USAGE_HEADER, parseUsageHeader } from './usage-override.ts';

export interface RequestHandlerDeps {
  openaiCache: OpenAIPromptCache;
  anthropicCache: AnthropicPromptCache;
  faults: FaultController;
  stats: StatsRecorder;
  now: () => number;
  latencyMs: number;
  tokenDelayMs: number;
  retryAfterMs: number | null;
}

const ROUTES: Readonly<Record<string, Exclude<SimRoute, 'not_found'>>> = {
  '/v1/chat/completions': 'openai.chat.completions',
  '/v1/messages': 'anthropic.messages',
  '/v1/messages/count_tokens': 'anthropic.count_tokens',
};

function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function providerOf(route: SimRoute | undefined, req: IncomingMessage): SimProvider {
  if (route === 'openai.chat.completions') return 'openai';
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
};

export function createRequestHandler(
  deps: RequestHandlerDeps,
): (req: IncomingMessage, res: ServerResponse) => Promise<void> {
  return async (req, res) => {
    const startedAt = performance.now();
    const path = new URL(req.url ?? '/', 'http://simulator').pathname.replace(/\/+$/, '');
    const known = req.method === 'POST' ? ROUTES[path] : undefined;
    const route: SimRoute = known ?? 'not_found';
    const provider = providerOf(route, req);
    const retryCount = Number(header(req, 'x-stainless-retry-count') ?? 0) || 0;
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
      const faultHeader = parseFaultHeaders(header(req, FAULT_HEADER), header(req, FAULT_ATTEMPTS_HEADER));
      const usage = parseUsageHeader(header(req, USAGE_HEADER));
      if (faultHeader && 'error' in faultHeader) response = fail(400, faultHeader.error);
      else if (usage && 'error' in usage) response = fail(400, String(usage.error));
      else if (!parsed.ok) response = fail(400, INVALID_JSON[provider]);
      else {
        decision = deps.faults.decide(faultHeader, retryCount);
        if (decision && decision.fault !== 'disconnect') response = fail(decision.fault);
        else if (known === 'openai.chat.completions') {
          response = handleOpenAIChat(json, { cache: deps.openaiCache, now: deps.now }, usage);
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
