/**
 * Run by open-actions.test.ts in a child process with --expose-gc: 10,000 actions open at once
 * through the real pipeline (recognise → price → assemble), heap measured before and after, then
 * every action span arrives and every call must be emitted. Prints one JSON line.
 *
 * argv: actions, calls per action, maxHeldBytes
 */

import { createPricer } from '@costline/pricing';
import { createAssembler } from '../../src/assemble/assembler.ts';
import { createMetrics } from '../../src/metrics.ts';
import type { DecodedSpan } from '../../src/otlp/span.ts';
import { createPipeline } from '../../src/pipeline.ts';
import { createAvoidedCostEstimator } from '../../src/price/avoided-cost.ts';

const [actionsArg = '10000', callsArg = '3', boundArg = String(64 * 1024 * 1024)] = process.argv.slice(2);
const actions = Number(actionsArg);
const perAction = Number(callsArg);
const maxHeldBytes = Number(boundArg);
const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error('run with --expose-gc');

const hex = (n: number, width: number): string => n.toString(16).padStart(width, '0');
const t0 = 1_763_900_000_000_000_000n;
const resource = { 'service.name': 'support-app' };
function span(i: number, j: number): DecodedSpan {
  const actionId = hex(i + 1, 16);
  return {
    traceId: hex(i + 1, 32),
    spanId: hex((i + 1) * 16 + j + 1, 16),
    parentSpanId: actionId,
    name: 'chat claude-sonnet-4-5',
    kind: 3,
    startTimeUnixNano: t0 + BigInt(i) * 1_000_000n,
    endTimeUnixNano: t0 + BigInt(i) * 1_000_000n + 800_000_000n,
    attributes: {
      'gen_ai.operation.name': 'chat',
      'gen_ai.provider.name': 'anthropic',
      'gen_ai.request.model': 'claude-sonnet-4-5',
      'gen_ai.response.model': 'claude-sonnet-4-5-20250929',
      'gen_ai.usage.input_tokens': 1200 + j,
      'gen_ai.usage.cache_read.input_tokens': 1000,
      'gen_ai.usage.output_tokens': 300,
      'costline.surface': 'support-answer',
      'costline.action.id': actionId,
      'costline.customer.id': `customer-${i % 500}`,
    },
    events: [],
    statusCode: 0,
    statusMessage: '',
    scopeName: '@costline/instrument',
    scopeVersion: '0.1.0',
    resource,
  };
}
function actionSpan(i: number): DecodedSpan {
  const s = span(i, 0);
  return {
    ...s,
    spanId: hex(i + 1, 16),
    parentSpanId: '',
    name: 'action support-answer',
    attributes: {
      'costline.span.kind': 'action',
      'costline.action.id': hex(i + 1, 16),
      'costline.surface': 'support-answer',
      'costline.action.outcome': 'success',
    },
  };
}

let emittedCalls = 0;
let emittedActions = 0;
const assembler = createAssembler({
  maxOpenActions: actions,
  maxHeldBytes,
  maxWaitMs: 3_600_000,
  recentClosed: 1000,
  emit: (c, a) => {
    emittedCalls += c.length;
    emittedActions += a.length;
  },
});
const pricer = createPricer();
const pipeline = createPipeline({
  pricer,
  assembler,
  estimator: createAvoidedCostEstimator(),
  metrics: createMetrics(),
  dedupeWindow: 1000,
});
// Warm up pricing caches and code paths, so the measurement is the held calls only.
pipeline.ingest([span(actions + 1, 0), actionSpan(actions + 1)]);
emittedCalls = 0;
emittedActions = 0;

gc();
const before = process.memoryUsage().heapUsed;
for (let i = 0; i < actions; i++) {
  const batch: DecodedSpan[] = [];
  for (let j = 0; j < perAction; j++) batch.push(span(i, j));
  pipeline.ingest(batch);
}
gc();
const held = process.memoryUsage().heapUsed - before;
const stats = assembler.stats();
for (let i = 0; i < actions; i++) pipeline.ingest([actionSpan(i)]);
process.stdout.write(
  `${JSON.stringify({
    heldHeapBytes: held,
    estimatedBytes: stats.heldBytes,
    openActions: stats.openActions,
    waitingCalls: stats.waitingCalls,
    evicted: stats.evictedActions,
    emittedCalls,
    emittedActions,
    maxHeldBytes,
  })}\n`,
);
