/**
 * The ingest path after decoding: drop re-delivered spans, recognise model calls, actions and
 * app-cache answers, price the calls, keep one span per model call (the leaf resolver), and hand
 * them to the assembler. Aggregate spans that repeat their children's usage are counted, not priced;
 * they and every other span still go to the assembler, which builds other producers' actions from
 * them (and reads late outcomes).
 *
 * A re-delivered span is dropped, with one exception: a call the store holds but no stored action
 * row counts (`markUncounted`: the previous process died between its flush's two inserts) goes on,
 * the first time it comes, so its action still counts it; its row is not written again.
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
import type { SpanRole } from './recognise/classify.ts';
import { createLeafResolver } from './recognise/leaf-resolver.ts';
import type { LeafResolverStats } from './recognise/leaf-resolver.ts';
import { readModelCall } from './recognise/model-call.ts';
import { createSeenSet } from './seen-set.ts';
import { createStageClock } from './stage-clock.ts';
import type { StageClock } from './stage-clock.ts';
import type { LlmCallRow } from './store/rows.ts';
import type { StoredCallTotals, UncountedCall } from './store/uncounted-calls.ts';

export interface PipelineOptions {
  pricer: Pricer;
  assembler: Assembler;
  estimator: AvoidedCostEstimator;
  metrics: Metrics;
  /**
   * How many recent (trace_id, span_id) pairs are remembered to drop re-deliveries (at most; the
   * newest half always, see span-key-table.ts). @default 1_000_000
   */
  dedupeWindow?: number;
  /** How long a wrapper's model-call span waits for the SDK's own span under it. @default 2000 */
  leafWaitMs?: number;
  /** Charged with the normalise, price and assemble stages. */
  clock?: StageClock;
  log?: (msg: string) => void;
}

export interface Pipeline {
  ingest(spans: DecodedSpan[]): IngestSummary;
  /** Marks (trace_id, span_id) pairs as already stored (e.g. read back from the store at start). */
  markSeen(keys: Iterable<[traceId: string, spanId: string]>): void;
  /**
   * Marks calls as stored but counted in no stored action row (read back at start): they are
   * seen, and the first re-delivery of each still goes to its action, with the stored totals.
   */
  markUncounted(calls: Iterable<UncountedCall>): void;
  /** Releases model calls whose wait for a child span is over. Call it periodically. */
  sweep(): void;
  /** Releases every held model call (shutdown). */
  drain(): void;
  leafStats(): LeafResolverStats;
}

/**
 * What one ingest did (for `costline import` and the forwarder). Model calls are counted when the
 * leaf resolver releases them, so a wrapper held from an earlier request may count in a later one.
 */
export interface IngestSummary {
  spans: number;
  modelCalls: number;
  priced: number;
  unpriced: number;
  duplicates: number;
  failed: number;
  errors: string[];
  /** The priced call rows released during this ingest (for forwarding with cost attributes). */
  calls: LlmCallRow[];
}

export function createPipeline(options: PipelineOptions): Pipeline {
  const { pricer, assembler, estimator, metrics } = options;
  const clock = options.clock ?? createStageClock();
  const seen = createSeenSet(options.dedupeWindow ?? 1_000_000);
  /** Stored calls no stored action counts, by key; each is taken (deleted) on its first re-delivery. */
  const uncounted = new Map<string, StoredCallTotals>();
  /** Call rows made from such a re-delivery: counted in their action, not written again. */
  const recounted = new WeakSet<LlmCallRow>();
  let current: IngestSummary | undefined;
  const leaves = createLeafResolver({
    waitMs: options.leafWaitMs,
    emit(row, span) {
      if (recounted.has(row)) {
        // Counted (metrics, forwarding, the avoided-cost means) when it was first stored.
        assembler.addCall(row, span, true);
        return;
      }
      metrics.inc('costline_model_calls_total');
      if (row.priced) metrics.inc('costline_model_calls_priced_total');
      else
        metrics.inc('costline_model_calls_unpriced_total', 1, {
          provider: row.provider,
          model: row.response_model || row.request_model,
        });
      if (current) {
        current.modelCalls++;
        if (row.priced) current.priced++;
        else current.unpriced++;
        current.calls.push(row);
      }
      estimator.observe(row);
      assembler.addCall(row, span);
    },
  });
  return {
    markSeen(keys) {
      for (const [t, s] of keys) seen.add(t, s);
    },
    markUncounted(calls) {
      for (const c of calls) {
        seen.add(c.traceId, c.spanId);
        uncounted.set(`${c.traceId}${c.spanId}`, c.totals);
      }
    },
    sweep: () => leaves.sweep(),
    drain: () => leaves.drain(),
    leafStats: () => leaves.stats(),
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
      current = summary;
      const outer = clock.enter('assemble');
      try {
        leaves.sweep();
        for (const span of spans) ingestSpan(span, summary);
      } finally {
        current = undefined;
        clock.enter(outer);
      }
      return summary;
    },
  };

  function ingestSpan(span: DecodedSpan, summary: IngestSummary): void {
    clock.enter('normalise');
    const role = classifySpan(span);
    let stored: StoredCallTotals | undefined;
    if (role !== 'other' && !seen.add(span.traceId, span.spanId)) {
      metrics.inc('costline_spans_duplicate_total');
      summary.duplicates++;
      stored = uncounted.size > 0 ? takeUncounted(span, role) : undefined;
      if (!stored) return;
    }
    try {
      if (role === 'other' || role === 'aggregate') {
        // Agent / wrapper spans repeating their children's usage are never priced (only leaves
        // are); to the assembler they are, like any other span, part of their trace (an
        // `invoke_agent` may be its root), or a late outcome.
        if (role === 'aggregate') metrics.inc('costline_spans_aggregate_total');
        clock.enter('assemble');
        assembler.addSpan(span);
      } else if (role === 'action') {
        metrics.inc('costline_actions_total');
        clock.enter('assemble');
        assembler.addAction(span);
      } else if (role === 'app_cache') {
        clock.enter('price');
        const row = appCacheRow(span, estimator, pricer);
        clock.enter('assemble');
        assembler.addCall(stored ? Object.assign(row, stored) : row, undefined, stored !== undefined);
      } else {
        const facts = readModelCall(span);
        clock.enter('price');
        const row = priceCall(facts, pricer);
        clock.enter('assemble');
        if (stored) recounted.add(Object.assign(row, stored));
        leaves.offer(row, span, facts.mayWrapSdkSpan);
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

  function takeUncounted(span: DecodedSpan, role: SpanRole): StoredCallTotals | undefined {
    if (role !== 'model_call' && role !== 'app_cache') return undefined;
    const key = span.traceId + span.spanId;
    const totals = uncounted.get(key);
    uncounted.delete(key);
    return totals;
  }
}
