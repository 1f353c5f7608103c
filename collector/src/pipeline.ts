/**
 * The ingest path after decoding: drop re-delivered spans, recognise model calls, actions and
 * app-cache answers, price the calls, keep one span per model call (the leaf resolver), and hand
 * them to the assembler. Aggregate spans that repeat their children's usage are counted, not priced.
 *
 * @module
 */

import type { Pricer } from '@costline/pricing';
import type { Assembler } from './assemble/assembler.ts';
import type { Metrics } from './metrics.ts';
import type { DecodedSpan } from './otlp/span.ts';
import { appCacheRow } from './price/app-cache-row.ts';
import type { AvoidedCostEstimator } from './price/avoided-cost.ts';
import { priceCall } from './price/call-row.ts';
import { classifySpan } from './recognise/classify.ts';
import { createLeafResolver } from './recognise/leaf-resolver.ts';
import type { LeafResolverStats } from './recognise/leaf-resolver.ts';
import { readModelCall } from './recognise/model-call.ts';
import { createSeenSet } from './seen-set.ts';

export interface PipelineOptions {
  pricer: Pricer;
  assembler: Assembler;
  estimator: AvoidedCostEstimator;
  metrics: Metrics;
  /** How many recent (trace_id, span_id) pairs are remembered to drop re-deliveries. @default 1_000_000 */
  dedupeWindow?: number;
  /** How long a wrapper's model-call span waits for the SDK's own span under it. @default 2000 */
  leafWaitMs?: number;
  log?: (msg: string) => void;
}

export interface Pipeline {
  ingest(spans: DecodedSpan[]): void;
  /** Releases model calls whose wait for a child span is over. Call it periodically. */
  sweep(): void;
  /** Releases every held model call (shutdown). */
  drain(): void;
  leafStats(): LeafResolverStats;
}

export function createPipeline(options: PipelineOptions): Pipeline {
  const { pricer, assembler, estimator, metrics } = options;
  const seen = createSeenSet(options.dedupeWindow ?? 1_000_000);
  const leaves = createLeafResolver({
    waitMs: options.leafWaitMs,
    emit(row) {
      metrics.inc('costline_model_calls_total');
      if (row.priced) metrics.inc('costline_model_calls_priced_total');
      else
        metrics.inc('costline_model_calls_unpriced_total', 1, {
          provider: row.provider,
          model: row.response_model || row.request_model,
        });
      estimator.observe(row);
      assembler.addCall(row);
    },
  });
  return {
    sweep: () => leaves.sweep(),
    drain: () => leaves.drain(),
    leafStats: () => leaves.stats(),
    ingest(spans) {
      metrics.inc('costline_spans_received_total', spans.length);
      leaves.sweep();
      for (const span of spans) {
        const role = classifySpan(span);
        if (role === 'other') continue;
        if (!seen.add(`${span.traceId}${span.spanId}`)) {
          metrics.inc('costline_spans_duplicate_total');
          continue;
        }
        if (role === 'aggregate') {
          // Agent / wrapper spans repeating their children's usage: never priced (only leaves are).
          // To the assembler they are plain spans of the trace (an `invoke_agent` may be its root).
          metrics.inc('costline_spans_aggregate_total');
          continue;
        }
        try {
          if (role === 'action') {
            metrics.inc('costline_actions_total');
            assembler.addAction(span);
          } else if (role === 'app_cache') {
            assembler.addCall(appCacheRow(span, estimator, pricer));
          } else {
            const facts = readModelCall(span);
            leaves.offer(priceCall(facts, pricer), span, facts.mayWrapSdkSpan);
          }
        } catch (e) {
          // One span that breaks a rule must not lose the rest of the request.
          metrics.inc('costline_spans_failed_total');
          options.log?.(
            `span ${span.traceId}/${span.spanId} (${span.name}) not processed: ${(e as Error).message}`,
          );
        }
      }
    },
  };
}
