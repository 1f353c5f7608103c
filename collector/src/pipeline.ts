/**
 * The ingest path after decoding: drop re-delivered spans, recognise model calls, actions and
 * app-cache answers, price the calls, and hand them to the assembler.
 *
 * @module
 */

import type { Pricer } from '@costline/pricing';
import type { Assembler } from './assemble/assembler.ts';
import type { Metrics } from './metrics.ts';
import type { LlmCallRow } from './store/rows.ts';
import type { DecodedSpan } from './otlp/span.ts';
import { appCacheRow } from './price/app-cache-row.ts';
import type { AvoidedCostEstimator } from './price/avoided-cost.ts';
import { priceCall } from './price/call-row.ts';
import { classifySpan } from './recognise/classify.ts';
import { readModelCall } from './recognise/model-call.ts';
import { createSeenSet } from './seen-set.ts';

export interface PipelineOptions {
  pricer: Pricer;
  assembler: Assembler;
  estimator: AvoidedCostEstimator;
  metrics: Metrics;
  /** How many recent (trace_id, span_id) pairs are remembered to drop re-deliveries. @default 1_000_000 */
  dedupeWindow?: number;
  log?: (msg: string) => void;
}

export interface Pipeline {
  ingest(spans: DecodedSpan[]): IngestSummary;
  /** Marks (trace_id, span_id) pairs as already stored (e.g. read back from the store at start). */
  markSeen(keys: Iterable<[traceId: string, spanId: string]>): void;
}

/** What one ingest did with its spans (for `costline import` and tests). */
export interface IngestSummary {
  spans: number;
  modelCalls: number;
  priced: number;
  unpriced: number;
  duplicates: number;
  failed: number;
  errors: string[];
  /** The priced call rows of this batch (for forwarding with cost attributes). */
  calls: LlmCallRow[];
}

export function createPipeline(options: PipelineOptions): Pipeline {
  const { pricer, assembler, estimator, metrics } = options;
  const seen = createSeenSet(options.dedupeWindow ?? 1_000_000);
  return {
    markSeen(keys) {
      for (const [t, s] of keys) seen.add(`${t}${s}`);
    },
    ingest(spans) {
      metrics.inc('costline_spans_received_total', spans.length);
      const summary: IngestSummary = {
        spans: spans.length,
        modelCalls: 0,
        priced: 0,
        unpriced: 0,
        duplicates: 0,
        failed: 0,
        errors: [],
        calls: [],
      };
      for (const span of spans) {
        const role = classifySpan(span);
        if (role !== 'other' && !seen.add(`${span.traceId}${span.spanId}`)) {
          metrics.inc('costline_spans_duplicate_total');
          summary.duplicates++;
          continue;
        }
        try {
          if (role === 'other') {
            // Late outcomes, and other producers' spans that make up their actions.
            assembler.addSpan(span);
            continue;
          }
          if (role === 'action') {
            metrics.inc('costline_actions_total');
            assembler.addAction(span);
          } else if (role === 'app_cache') {
            assembler.addCall(appCacheRow(span, estimator));
          } else {
            const row = priceCall(readModelCall(span), pricer);
            metrics.inc('costline_model_calls_total');
            summary.modelCalls++;
            if (row.priced) summary.priced++;
            else summary.unpriced++;
            if (row.priced) metrics.inc('costline_model_calls_priced_total');
            else
              metrics.inc('costline_model_calls_unpriced_total', 1, {
                provider: row.provider,
                model: row.response_model || row.request_model,
              });
            estimator.observe(row);
            summary.calls.push(row);
            assembler.addCall(row, span);
          }
        } catch (e) {
          // One span that breaks a rule must not lose the rest of the request.
          metrics.inc('costline_spans_failed_total');
          const message = `span ${span.traceId}/${span.spanId} (${span.name}) not processed: ${(e as Error).message}`;
          summary.failed++;
          if (summary.errors.length < 20) summary.errors.push(message);
          options.log?.(message);
        }
      }
      return summary;
    },
  };
}
