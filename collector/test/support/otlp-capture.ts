/**
 * Produces real OTLP bytes: spans made with the OTel SDK and sent by the real OTLP/HTTP exporters
 * (protobuf or JSON) to a local sink that keeps each request body.
 */

import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Attributes, SpanKind, SpanStatus } from '@opentelemetry/api';
import { context, trace } from '@opentelemetry/api';
import { OTLPTraceExporter as ProtoExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { OTLPTraceExporter as JsonExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  BatchSpanProcessor,
  InMemorySpanExporter,
  SimpleSpanProcessor,
  TracerProvider,
} from '@opentelemetry/sdk-trace';
import type { IdGenerator, ReadableSpan } from '@opentelemetry/sdk-trace';

type ExporterConfig = NonNullable<ConstructorParameters<typeof ProtoExporter>[0]>;

export interface CapturedRequest {
  contentType: string;
  contentEncoding: string;
  body: Buffer;
}

export interface SpanSpec {
  name: string;
  kind?: SpanKind;
  attributes?: Attributes;
  status?: SpanStatus;
  scope?: string;
  scopeVersion?: string;
  children?: SpanSpec[];
  durationMs?: number;
}

/** Exports the span tree(s) through the real exporter; returns the captured requests and the spans. */
export async function captureOtlp(
  specs: SpanSpec[],
  options: {
    encoding: 'protobuf' | 'json';
    serviceName?: string;
    compression?: 'gzip' | 'none';
    /** `batch`: one request for many spans, as a BatchSpanProcessor sends them. @default 'simple' */
    processor?: 'simple' | 'batch';
    /** The SDK's id generator (e.g. ids that differ in one byte). @default random ids */
    idGenerator?: IdGenerator;
  },
): Promise<{ requests: CapturedRequest[]; spans: ReadableSpan[] }> {
  const requests: CapturedRequest[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      requests.push({
        contentType: String(req.headers['content-type'] ?? ''),
        contentEncoding: String(req.headers['content-encoding'] ?? ''),
        body: Buffer.concat(chunks),
      });
      res.writeHead(200, { 'content-type': String(req.headers['content-type'] ?? '') }).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1/traces`;
  // The exporters type `compression` as an enum whose values are these strings.
  const exporterOptions: ExporterConfig = {
    url,
    compression: (options.compression ?? 'none') as ExporterConfig['compression'],
  };
  const exporter =
    options.encoding === 'protobuf' ? new ProtoExporter(exporterOptions) : new JsonExporter(exporterOptions);
  const memory = new InMemorySpanExporter();
  const provider = new TracerProvider({
    ...(options.idGenerator ? { idGenerator: options.idGenerator } : {}),
    resource: resourceFromAttributes({ 'service.name': options.serviceName ?? 'test-service' }),
    spanProcessors: [
      options.processor === 'batch'
        ? new BatchSpanProcessor({ exporter, maxExportBatchSize: 512, maxQueueSize: 4096 })
        : new SimpleSpanProcessor({ exporter }),
      new SimpleSpanProcessor({ exporter: memory }),
    ],
  });
  const start = Date.UTC(2026, 10, 15, 12, 0, 0);
  const emit = (spec: SpanSpec, parent: ReturnType<typeof trace.setSpan> | undefined, at: number): void => {
    const tracer = provider.getTracer(spec.scope ?? 'test-scope', spec.scopeVersion);
    const span = tracer.startSpan(
      spec.name,
      { kind: spec.kind, attributes: spec.attributes, startTime: at },
      parent ?? context.active(),
    );
    const ctx = trace.setSpan(parent ?? context.active(), span);
    for (const child of spec.children ?? []) emit(child, ctx, at + 1);
    if (spec.status) span.setStatus(spec.status);
    span.end(at + (spec.durationMs ?? 100));
  };
  for (const spec of specs) emit(spec, undefined, start);
  await provider.forceFlush();
  // Before shutdown: shutting the in-memory exporter down empties it.
  const spans = memory.getFinishedSpans();
  await provider.shutdown();
  await new Promise<void>((r) => server.close(() => r()));
  return { requests, spans };
}
