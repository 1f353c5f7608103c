/**
 * `POST /v1/traces`: OTLP/HTTP trace export, protobuf or JSON, optionally gzip- or
 * deflate-compressed. Malformed bodies get 400 with a message; partly bad ones 200 with
 * `partial_success`; the response uses the request's encoding.
 *
 * @module
 */

import { gunzip, inflate } from 'node:zlib';
import { promisify } from 'node:util';
import type { Request, Response } from 'express';
import type { Metrics } from '../metrics.ts';
import { decodeJsonTraces } from '../otlp/decode-json.ts';
import { decodeProtobufTraces } from '../otlp/decode-protobuf.ts';
import { encodeResponse } from '../otlp/encode-response.ts';
import type { DecodedBatch } from '../otlp/span.ts';
import type { Forwarder } from '../otlp/forwarder.ts';
import type { Pipeline } from '../pipeline.ts';
import type { StageClock } from '../stage-clock.ts';
import type { DurableIngest } from '../spool/durable-ingest.ts';

const gunzipAsync = promisify(gunzip);
const inflateAsync = promisify(inflate);

export interface TracesRouteOptions {
  pipeline: Pipeline;
  metrics: Metrics;
  /** Largest body accepted after decompression. @default 32 MiB */
  maxBodyBytes: number;
  accepting?: (() => Refusal | undefined) | undefined;
  forwarder?: Forwarder | undefined;
  /** The outage spool: a request is acknowledged only once its body is appended and fsynced. */
  durable?: DurableIngest | undefined;
  /** Charged with the decode stage. */
  clock?: StageClock | undefined;
}

/** Why ingest cannot accept now: 429 (queue full) or 503 (store down), retried by exporters. */
export interface Refusal {
  status: 429 | 503;
  retryAfterSeconds: number;
  reason: string;
}

/** Output chunks are never smaller (for bodies that claim to be tiny) nor larger than this. */
const MIN_CHUNK = 64 * 1024;
const MAX_CHUNK = 8 * 1024 * 1024;
const MAX_RATIO = 1032;

/**
 * A gzip member ends with its uncompressed size mod 2^32 (ISIZE, RFC 1952): one output chunk of
 * that size (and a byte to spare, for zlib to see the end) holds the whole body, so nothing is
 * joined and the event loop is called back once — a fifth of the main thread's time per body
 * against 256 KiB chunks. It is only a size hint: zlib checks it against what it inflated (a body
 * whose trailer lies is refused as corrupt) but ignores zero-led bytes after the last member, which
 * may then be read as the trailer; a multi-member body takes more chunks; and `maxOutputLength`
 * bounds the output whatever the trailer says.
 */
export function gzipChunkSize(gz: Buffer, maxBodyBytes: number): number {
  if (gz.length < 18) return MIN_CHUNK;
  const claimed = gz.readUInt32LE(gz.length - 4) + 1;
  // Deflate inflates at most 1,032-fold: a body cannot honestly claim more than that of its size
  // (zlib ignores zero bytes after a member, so the "trailer" read may be padding).
  return Math.max(MIN_CHUNK, Math.min(claimed, gz.length * MAX_RATIO, MAX_CHUNK, maxBodyBytes + 1));
}

export function tracesRoute(options: TracesRouteOptions) {
  const { pipeline, metrics, maxBodyBytes } = options;
  const reply = (res: Response, status: number, kind: 'protobuf' | 'json', body: Buffer | string): void => {
    metrics.inc('costline_requests_total', 1, { status: String(status) });
    if (typeof body === 'string') {
      res.status(status).type('text/plain').send(body);
      return;
    }
    res
      .status(status)
      .type(kind === 'json' ? 'application/json' : 'application/x-protobuf')
      .send(body);
  };

  return async (req: Request, res: Response): Promise<void> => {
    const refusal = options.accepting?.();
    if (refusal) {
      // Nothing was taken: the exporter retries after Retry-After, so nothing is lost.
      metrics.inc('costline_requests_refused_total', 1, { status: String(refusal.status) });
      res.setHeader('retry-after', String(refusal.retryAfterSeconds));
      reply(res, refusal.status, 'json', refusal.reason);
      return;
    }
    const type = (req.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
    const kind =
      type === 'application/json' ? 'json' : type === 'application/x-protobuf' ? 'protobuf' : undefined;
    if (!kind) {
      reply(
        res,
        415,
        'json',
        `unsupported content-type ${JSON.stringify(type)}: use application/x-protobuf or application/json`,
      );
      return;
    }
    if (!Buffer.isBuffer(req.body)) {
      reply(res, 400, kind, 'empty body');
      return;
    }
    let body: Buffer = req.body;
    const encoding = (req.headers['content-encoding'] ?? 'identity').toLowerCase();
    try {
      // Large output chunks: zlib calls back into the event loop once per chunk (16 KiB by default)
      // and joins the chunks at the end.
      if (encoding === 'gzip') {
        body = await gunzipAsync(body, {
          maxOutputLength: maxBodyBytes,
          chunkSize: gzipChunkSize(body, maxBodyBytes),
        });
      } else if (encoding === 'deflate') {
        body = await inflateAsync(body, { maxOutputLength: maxBodyBytes, chunkSize: 256 * 1024 });
      } else if (encoding !== 'identity') {
        reply(res, 415, kind, `unsupported content-encoding ${JSON.stringify(encoding)}`);
        return;
      }
    } catch (e) {
      const tooBig = (e as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE';
      reply(
        res,
        tooBig ? 413 : 400,
        kind,
        tooBig
          ? `body larger than ${maxBodyBytes} bytes once decompressed`
          : `body is not valid ${encoding}: ${(e as Error).message}`,
      );
      return;
    }
    let batch: DecodedBatch;
    const outer = options.clock?.enter('decode');
    try {
      batch = kind === 'json' ? decodeJsonTraces(body.toString('utf8')) : decodeProtobufTraces(body);
    } catch (e) {
      reply(res, 400, kind, `malformed OTLP ${kind} body: ${(e as Error).message}`);
      return;
    } finally {
      options.clock?.enter(outer);
    }
    let seq: number | undefined;
    if (options.durable) {
      const appended = await options.durable.accept(kind, encoding, req.body);
      if (typeof appended !== 'number') {
        // Not acknowledged, so not lost: the exporter retries after Retry-After.
        metrics.inc('costline_requests_refused_total', 1, { status: String(appended.status) });
        res.setHeader('retry-after', String(appended.retryAfterSeconds));
        reply(res, appended.status, kind, appended.reason);
        return;
      }
      seq = appended;
    }
    if (batch.rejected > 0) metrics.inc('costline_spans_rejected_total', batch.rejected);
    const summary = pipeline.ingest(batch.spans);
    if (seq !== undefined) options.durable?.ingested(seq);
    options.forwarder?.forward(batch.spans, summary.calls);
    // What became of the spans, for `costline import` through a running collector.
    res.setHeader(
      'x-costline-ingest',
      JSON.stringify({
        modelCalls: summary.modelCalls,
        priced: summary.priced,
        unpriced: summary.unpriced,
        duplicates: summary.duplicates,
        failed: summary.failed,
      }),
    );
    // Spans the pipeline could not process are as lost as the ones the decoder refused: say so.
    const rejected = batch.rejected + summary.failed;
    const partial =
      rejected > 0
        ? { rejectedSpans: rejected, errorMessage: [...batch.errors, ...summary.errors].join('; ') }
        : undefined;
    reply(res, 200, kind, encodeResponse(kind, partial));
  };
}
