/** A local OTLP/HTTP receiver: keeps the raw body and content type of every `POST /v1/traces`. */

import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface OtlpExport {
  readonly path: string;
  readonly contentType: string | undefined;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly body: Buffer;
}

export interface OtlpSink {
  readonly url: string;
  readonly exports: OtlpExport[];
  /** All bodies, as latin1 text, to search for span names and attribute keys. */
  text(): string;
  close(): Promise<void>;
}

export async function startOtlpSink(): Promise<OtlpSink> {
  const exports: OtlpExport[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      exports.push({
        path: req.url ?? '',
        contentType: req.headers['content-type'],
        headers: req.headers,
        body: Buffer.concat(chunks),
      });
      res.writeHead(200, { 'content-type': 'application/x-protobuf' });
      res.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    exports,
    text: () => Buffer.concat(exports.map((e) => e.body)).toString('latin1'),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
