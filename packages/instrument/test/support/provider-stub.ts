/**
 * A tiny OpenAI + Anthropic stand-in on 127.0.0.1: it answers `/v1/chat/completions` and
 * `/v1/messages` (plain JSON or SSE, following the request's `stream`), records every request,
 * and plays scripted failures first (e.g. one 429 with `retry-after-ms: 1`, then the normal answer).
 */

import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  anthropicEvents,
  anthropicMessage,
  openaiChunks,
  openaiCompletion,
  openaiError,
} from './provider-payloads.ts';

export interface RecordedRequest {
  readonly method: string;
  readonly path: string;
  readonly headers: IncomingMessage['headers'];
  readonly body: Record<string, unknown>;
}

export interface ProviderStub {
  readonly url: string;
  readonly requests: RecordedRequest[];
  /** Answers the next request(s) with these HTTP errors, in order, before answering normally. */
  failNext(...statuses: number[]): void;
  /** Ends the next streamed answer with the provider's in-stream error event after two events. */
  errorNextStream(): void;
  reset(): void;
  close(): Promise<void>;
}

export async function startProviderStub(): Promise<ProviderStub> {
  const requests: RecordedRequest[] = [];
  let failures: number[] = [];
  let cut = false;
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      const body = (raw ? JSON.parse(raw) : {}) as Record<string, unknown>;
      requests.push({ method: req.method ?? '', path: req.url ?? '', headers: req.headers, body });
      const failure = failures.shift();
      if (failure !== undefined) return sendError(res, req.url ?? '', failure);
      const cutAfter = cut && body['stream'] === true ? 2 : undefined;
      if (cutAfter !== undefined) cut = false;
      answer(res, req.url ?? '', body, cutAfter);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    failNext(...statuses) {
      failures.push(...statuses);
    },
    errorNextStream() {
      cut = true;
    },
    reset() {
      requests.length = 0;
      failures = [];
      cut = false;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

function answer(res: ServerResponse, path: string, body: Record<string, unknown>, cutAfter?: number): void {
  const stream = body['stream'] === true;
  if (path.startsWith('/v1/chat/completions')) {
    if (!stream) return sendJson(res, 200, openaiCompletion());
    const options = body['stream_options'] as { include_usage?: boolean } | undefined;
    return sendSse(
      res,
      openaiChunks(options?.include_usage === true).map((data) => [undefined, data] as const),
      true,
      cutAfter,
    );
  }
  if (path.startsWith('/v1/messages')) {
    if (!stream) return sendJson(res, 200, anthropicMessage());
    return sendSse(res, anthropicEvents(), false, cutAfter);
  }
  sendJson(res, 404, { error: { message: `no route ${path}` } });
}

function sendError(res: ServerResponse, path: string, status: number): void {
  const headers = { 'retry-after-ms': '1', 'x-request-id': `req_${status}` };
  if (path.startsWith('/v1/messages')) {
    const type =
      status === 429 ? 'rate_limit_error' : status === 529 ? 'overloaded_error' : 'invalid_request_error';
    return sendJson(
      res,
      status,
      { type: 'error', error: { type, message: `stub ${type}` }, request_id: `req_${status}` },
      headers,
    );
  }
  sendJson(res, status, openaiError(status).body, headers);
}

function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
}

/** Writes SSE events; with `cutAfter`, the provider's in-stream error event follows that many events. */
function sendSse(
  res: ServerResponse,
  events: readonly (readonly [string | undefined, unknown])[],
  done: boolean,
  cutAfter?: number,
): void {
  res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache' });
  const openai = events[0]?.[0] === undefined;
  const sent =
    cutAfter === undefined
      ? events
      : [
          ...events.slice(0, cutAfter),
          openai ? ([undefined, OPENAI_STREAM_ERROR] as const) : ANTHROPIC_STREAM_ERROR,
        ];
  for (const [event, data] of sent) {
    res.write(`${event !== undefined ? `event: ${event}\n` : ''}data: ${JSON.stringify(data)}\n\n`);
  }
  if (done && cutAfter === undefined) res.write('data: [DONE]\n\n');
  res.end();
}

const OPENAI_STREAM_ERROR = {
  error: {
    message: 'The server had an error while processing your request.',
    type: 'server_error',
    param: null,
    code: null,
  },
};
const ANTHROPIC_STREAM_ERROR = [
  'error',
  { type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } },
] as const;
