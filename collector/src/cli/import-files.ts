/**
 * `costline import FILE…`: OTLP JSON lines (one ExportTraceServiceRequest per line, as the OTel
 * Collector's `file` exporter writes them) through the same path as the endpoint — in this process
 * on the configured store, or through the running collector that holds the embedded store. A
 * progress bar on a terminal's stderr, then a summary: spans read, model calls priced and unpriced,
 * rejected spans with their reasons.
 *
 * @module
 */

import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { createCollector } from '../collector.ts';
import { decodeJsonTraces } from '../otlp/decode-json.ts';
import type { IngestSummary } from '../pipeline.ts';
import { storeIdentity } from '../store/client.ts';
import type { Io } from './commands.ts';
import { collectorOptions } from './collector-options.ts';
import { collectorHolds, localCollectorUrl, storeOf } from './open-store.ts';
import { pricerFor } from './pricing-commands.ts';
import type { Settings } from './settings.ts';
import { UsageError } from './usage-error.ts';

export interface ImportSummary {
  files: number;
  lines: number;
  spans: number;
  modelCalls: number;
  priced: number;
  unpriced: number;
  duplicates: number;
  rejected: number;
  /** Rejection reasons and how many spans (or lines) each hit. */
  reasons: Map<string, number>;
  via: 'store' | 'collector';
}

type Sink = (
  line: string,
) => Promise<{ rejected: number; errors: string[]; ingest?: Partial<IngestSummary> }>;

export async function importFiles(settings: Settings, io: Io, files: string[]): Promise<ImportSummary> {
  const summary: ImportSummary = {
    files: files.length,
    lines: 0,
    spans: 0,
    modelCalls: 0,
    priced: 0,
    unpriced: 0,
    duplicates: 0,
    rejected: 0,
    reasons: new Map(),
    via: 'store',
  };
  const reason = (text: string, n = 1): void => {
    summary.reasons.set(text, (summary.reasons.get(text) ?? 0) + n);
  };
  const url = localCollectorUrl(settings);
  const viaCollector =
    !settings.clickhouseUrl && (await collectorHolds(url, storeIdentity(storeOf(settings))));
  let close: () => Promise<void>;
  let sink: Sink;
  if (viaCollector) {
    summary.via = 'collector';
    sink = postTo(url, settings.ingestToken);
    close = () => Promise.resolve();
  } else {
    const collector = await createCollector({
      store: storeOf(settings),
      ...collectorOptions(settings),
      pricer: pricerFor(settings),
      forwardEndpoint: undefined,
      log: (m) => io.stderr(`${m}\n`),
    });
    let sinceFlush = 0;
    sink = async (line) => {
      const batch = decodeJsonTraces(line);
      const ingest = collector.pipeline.ingest(batch.spans);
      sinceFlush += batch.spans.length;
      // Bound what waits for insert: a file can be far larger than memory.
      if (sinceFlush >= 20_000) {
        sinceFlush = 0;
        await collector.flush();
      }
      return { rejected: batch.rejected, errors: batch.errors, ingest };
    };
    close = () => collector.stop();
  }

  for (const f of files) {
    const found = await stat(f).catch(() => undefined);
    if (!found?.isFile()) throw new UsageError(`import: ${f}: no such file`);
  }
  const totalBytes = (await Promise.all(files.map((f) => stat(f).then((s) => s.size)))).reduce(
    (a, b) => a + b,
    0,
  );
  const progress = createProgress(io, totalBytes);
  let doneBytes = 0;
  try {
    for (const file of files) {
      const stream = createReadStream(file);
      const lines = createInterface({ input: stream, crlfDelay: Infinity });
      let n = 0;
      for await (const line of lines) {
        n++;
        progress.update(doneBytes + stream.bytesRead, summary.spans);
        if (line.trim() === '') continue;
        summary.lines++;
        try {
          const r = await sink(line);
          summary.spans += (r.ingest?.spans ?? 0) + r.rejected;
          summary.modelCalls += r.ingest?.modelCalls ?? 0;
          summary.priced += r.ingest?.priced ?? 0;
          summary.unpriced += r.ingest?.unpriced ?? 0;
          summary.duplicates += r.ingest?.duplicates ?? 0;
          summary.rejected += r.rejected + (r.ingest?.failed ?? 0);
          for (const e of r.errors) reason(e.replace(/^span "[^"]*": /, ''));
          for (const e of r.ingest?.errors ?? []) reason(e.replace(/^span \S+ \(.*?\) not processed: /, ''));
        } catch (e) {
          summary.rejected++;
          reason(`line not imported: ${(e as Error).message}`);
          io.stderr(`${progress.clear()}${file}:${n}: ${(e as Error).message}\n`);
        }
      }
      doneBytes += stream.bytesRead;
    }
  } finally {
    progress.done();
    await close();
  }
  return summary;
}

export function renderImportSummary(s: ImportSummary): string {
  const lines = [
    `read ${s.lines} requests from ${s.files} file${s.files === 1 ? '' : 's'}${s.via === 'collector' ? ' through the running collector' : ''}`,
    `  spans read          ${s.spans}`,
    `  model calls priced  ${s.priced}`,
    `  unpriced            ${s.unpriced}`,
    `  already stored      ${s.duplicates}`,
    `  rejected            ${s.rejected}`,
  ];
  for (const [why, n] of [...s.reasons].sort((a, b) => b[1] - a[1]).slice(0, 10))
    lines.push(`    ${String(n).padStart(6)} × ${why}`);
  return `${lines.join('\n')}\n`;
}

function postTo(url: string, token: string | undefined): Sink {
  return async (line) => {
    const res = await fetch(new URL('/v1/traces', url), {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: line,
    });
    const text = await res.text();
    if (res.status === 429 || res.status === 503) {
      const wait = Number(res.headers.get('retry-after') ?? '1');
      await new Promise((r) => setTimeout(r, Math.min(30, wait) * 1000));
      return postTo(url, token)(line);
    }
    if (!res.ok) throw new Error(`the collector answered ${res.status}: ${text}`);
    const partial = (
      JSON.parse(text || '{}') as { partialSuccess?: { rejectedSpans?: string; errorMessage?: string } }
    ).partialSuccess;
    const ingest = JSON.parse(res.headers.get('x-costline-ingest') ?? '{}') as Partial<IngestSummary>;
    const rejected = Number(partial?.rejectedSpans ?? 0);
    const spans = decodeJsonTraces(line).spans.length;
    return {
      rejected,
      errors: partial?.errorMessage ? partial.errorMessage.split('; ') : [],
      ingest: { ...ingest, spans },
    };
  };
}

/** A one-line progress bar on a terminal's stderr; nothing when stderr is not a terminal. */
function createProgress(io: Io, total: number) {
  let last = 0;
  let shown = false;
  const draw = (done: number, spans: number): string => {
    const share = total === 0 ? 1 : Math.min(1, done / total);
    const width = 30;
    const filled = Math.round(share * width);
    return `\r[${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${(share * 100).toFixed(0).padStart(3)}%  ${spans} spans`;
  };
  return {
    update(done: number, spans: number) {
      if (!io.stderrIsTTY) return;
      const now = Date.now();
      if (now - last < 100) return;
      last = now;
      shown = true;
      io.stderr(draw(done, spans));
    },
    clear: () => (shown && io.stderrIsTTY ? '\r\x1b[2K' : ''),
    done() {
      if (shown && io.stderrIsTTY) io.stderr(`${draw(total, 0).replace(/\s+\d+ spans$/, '')}\n`);
    },
  };
}
