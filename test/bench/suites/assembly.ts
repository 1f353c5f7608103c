/**
 * Assembly: the ingest pipeline without a store (decode OTLP JSON → recognise → price → assemble)
 * in spans/s, beside JSON decoding alone in the same run; and the heap an open action's waiting call
 * really holds against the assembler's estimate (the memory bound is only as good as that
 * estimate). The end-to-end rate is the `collector` suite's.
 *
 * @module
 */

import { runInNewContext } from 'node:vm';
import { setFlagsFromString } from 'node:v8';
import { createPricer } from '@costline/pricing';
import {
  createAssembler,
  createAvoidedCostEstimator,
  createMetrics,
  createPipeline,
  decodeJsonTraces,
  encodeJsonTraces,
} from '@costline/collector';
import type { DecodedSpan } from '@costline/collector';
import type { Suite } from '../metric.ts';

const hex = (n: number, width: number): string => n.toString(16).padStart(width, '0');
const t0 = 1_763_900_000_000_000_000n;

/** One action of `calls` model calls, as the instrument sends it (calls first, the action last). */
function actionSpans(i: number, calls: number): DecodedSpan[] {
  const actionId = hex(i + 1, 16);
  const resource = { 'service.name': 'bench-app' };
  const base = {
    traceId: hex(i + 1, 32),
    kind: 3,
    startTimeUnixNano: t0 + BigInt(i) * 1_000_000n,
    endTimeUnixNano: t0 + BigInt(i) * 1_000_000n + 900_000_000n,
    events: [],
    statusCode: 0,
    statusMessage: '',
    scopeName: '@costline/instrument',
    scopeVersion: '0.1.0',
    resource,
  };
  const out: DecodedSpan[] = [];
  for (let j = 0; j < calls; j++)
    out.push({
      ...base,
      spanId: hex((i + 1) * 16 + j + 1, 16),
      parentSpanId: actionId,
      name: 'chat claude-sonnet-4-5',
      attributes: {
        'gen_ai.operation.name': 'chat',
        'gen_ai.provider.name': 'anthropic',
        'gen_ai.request.model': 'claude-sonnet-4-5',
        'gen_ai.usage.input_tokens': 1200 + j,
        'gen_ai.usage.cache_read.input_tokens': 1000,
        'gen_ai.usage.output_tokens': 300,
        'costline.surface': 'support-answer',
        'costline.action.id': actionId,
      },
    });
  out.push({
    ...base,
    spanId: actionId,
    parentSpanId: '',
    name: 'action support-answer',
    attributes: {
      'costline.span.kind': 'action',
      'costline.action.id': actionId,
      'costline.surface': 'support-answer',
      'costline.action.outcome': 'success',
    },
  });
  return out;
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;

const suite: Suite = {
  name: 'assembly',
  run({ full, log }) {
    const actions = full ? 20_000 : 2_000;
    const perRequest = 50;
    const requests: string[] = [];
    for (let i = 0; i < actions; i += perRequest) {
      const spans: DecodedSpan[] = [];
      for (let k = i; k < Math.min(actions, i + perRequest); k++) spans.push(...actionSpans(k, 3));
      requests.push(encodeJsonTraces(spans));
    }
    const spanCount = actions * 4;

    const pipelineRun = (): number => {
      const assembler = createAssembler({ emit: () => undefined });
      const pipeline = createPipeline({
        pricer: createPricer(),
        assembler,
        estimator: createAvoidedCostEstimator(),
        metrics: createMetrics(),
      });
      const started = performance.now();
      for (const body of requests) pipeline.ingest(decodeJsonTraces(body).spans);
      return (spanCount / (performance.now() - started)) * 1000;
    };

    const decodeRun = (): number => {
      const started = performance.now();
      for (const body of requests) decodeJsonTraces(body);
      return (spanCount / (performance.now() - started)) * 1000;
    };

    const pipe: number[] = [];
    const decode: number[] = [];
    for (let r = 0; r < 5; r++) {
      decode.push(decodeRun());
      pipe.push(pipelineRun());
    }
    log('assembly: timed 5 interleaved rounds');

    // Heap per waiting call against the estimate the memory bound uses.
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    const assembler = createAssembler({ emit: () => undefined, maxOpenActions: actions });
    const pipeline = createPipeline({
      pricer: createPricer(),
      assembler,
      estimator: createAvoidedCostEstimator(),
      metrics: createMetrics(),
      dedupeWindow: 10,
    });
    pipeline.ingest(actionSpans(actions + 1, 3)); // warm caches
    gc();
    const before = process.memoryUsage().heapUsed;
    for (let i = 0; i < actions; i++) pipeline.ingest(actionSpans(i, 3).slice(0, 3));
    gc();
    const heapPerCall = (process.memoryUsage().heapUsed - before) / (actions * 3);
    const estimated = assembler.stats().heldBytes / (actions * 3);

    const p = median(pipe);
    const d = median(decode);
    return Promise.resolve([
      {
        name: 'assembly.pipeline.spans_per_s',
        value: p,
        unit: 'spans/s',
        note: 'decode JSON + recognise + price + assemble, no store',
      },
      { name: 'assembly.decode_json.spans_per_s', value: d, unit: 'spans/s', note: 'OTLP JSON decode alone' },
      { name: 'assembly.pipeline_vs_decode', value: p / d, unit: 'ratio', note: 'pipeline ÷ decode alone' },
      {
        name: 'assembly.held_call.heap_bytes',
        value: heapPerCall,
        unit: 'bytes',
        note: 'heap per waiting call (gc before and after)',
      },
      {
        name: 'assembly.held_call.estimate_vs_heap',
        value: estimated / heapPerCall,
        unit: 'ratio',
        note: 'assembler estimate ÷ real heap (≥ 1: the bound holds)',
      },
    ]);
  },
};

export default suite;
