/**
 * The wire side of a response: reading the request body, and writing a `SimResponse` — JSON after the
 * whole "generation" delay, or server-sent events paced per output token — with an optional
 * connection drop (the `disconnect` fault): before any byte of a JSON response, half-way through a stream.
 *
 * @module
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import type { SimProvider, SimResponse } from './types.ts';

/** Larger bodies get a 413: long-context tests should force usage with `x-sim-usage` instead. */
export const MAX_BODY_BYTES = 32 * 1024 * 1024;

export async function readBody(req: IncomingMessage): Promise<{ ok: true; text: string } | { ok: false }> {
  const chunks: Buffer[] = [];
  let size = 0;
  let tooLarge = false;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) tooLarge = true;
    // Keep draining so the client sees the 413 instead of a reset connection.
    if (!tooLarge) chunks.push(chunk);
  }
  return tooLarge ? { ok: false } : { ok: true, text: Buffer.concat(chunks).toString('utf8') };
}

export interface WriteOptions {
  provider: SimProvider;
  /** `performance.now()` when the request arrived, for `openai-processing-ms`. */
  startedAt: number;
  latencyMs: number;
  tokenDelayMs: number;
  /** Drop the connection before the headers (JSON) or after half the events (SSE). */
  disconnect: boolean;
}

async function pause(ms: number): Promise<void> {
  // No timer at all when pacing is off: the demo's ~250 calls should not queue on the event loop.
  if (ms > 0) await sleep(ms);
}

function write(res: ServerResponse, text: string | Uint8Array): Promise<void> {
  if (res.write(text)) return Promise.resolve();
  return new Promise((resolve) => {
    const done = (): void => {
      res.off('drain', done);
      res.off('close', done);
      resolve();
    };
    res.once('drain', done);
    res.once('close', done);
  });
}

/** Node knows no reason phrase for Anthropic's 529. */
function statusText(status: number): string | undefined {
  return status === 529 ? 'Overloaded' : undefined;
}

function headersFor(response: SimResponse, options: WriteOptions): Record<string, string> {
  const headers: Record<string, string> = {
    ...response.headers,
    'content-type':
      response.kind === 'json'
        ? 'application/json'
        : response.kind === 'frames'
          ? response.contentType
          : 'text/event-stream; charset=utf-8',
  };
  if (response.kind === 'sse') headers['cache-control'] = 'no-cache';
  if (options.provider === 'openai') {
    headers['openai-processing-ms'] = String(Math.round(performance.now() - options.startedAt));
  }
  return headers;
}

export async function writeSimResponse(
  res: ServerResponse,
  response: SimResponse,
  options: WriteOptions,
): Promise<void> {
  await pause(options.latencyMs);
  if (response.kind === 'json') {
    await pause(response.tokens * options.tokenDelayMs);
    // A reset before any byte: the SDKs see a connection error, which they retry.
    if (res.destroyed || options.disconnect) {
      res.destroy();
      return;
    }
    res.writeHead(response.status, statusText(response.status), headersFor(response, options));
    res.end(JSON.stringify(response.body));
    return;
  }

  if (res.destroyed) return;
  res.writeHead(response.status, statusText(response.status), headersFor(response, options));
  res.flushHeaders();
  const pieces =
    response.kind === 'frames'
      ? response.frames.map((f) => ({ tokens: f.tokens, body: f.bytes }))
      : response.events.map((e) => ({
          tokens: e.tokens,
          body: `${e.event === undefined ? '' : `event: ${e.event}\n`}data: ${e.data}\n\n`,
        }));
  const cutAt = options.disconnect ? Math.floor(pieces.length / 2) : Infinity;
  for (const [i, piece] of pieces.entries()) {
    if (i >= cutAt) {
      res.destroy();
      return;
    }
    await pause(piece.tokens * options.tokenDelayMs);
    // The client went away (abort, or stop()): stop generating, like the real APIs.
    if (res.destroyed) return;
    await write(res, piece.body);
  }
  res.end();
}
