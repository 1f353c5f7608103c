/**
 * A service instrumented by another producer (argv[2]: traceloop, openinference, ai-v7, …) running the
 * scenarios in the JSON file argv[3] against the provider simulator (`SIM_URL`), exporting its spans
 * over OTLP/HTTP to the collector (`COLLECTOR_URL`). Prints one {@link ScenarioResult} per line.
 *
 * @module
 */

import { readFileSync } from 'node:fs';
import { SpanStatusCode, trace } from '@opentelemetry/api';
import type { Tracer } from '@opentelemetry/api';
import { OWN_TRACING_PRODUCERS, PRODUCERS } from './producers/index.ts';
import type { RunScenario } from './producers/producer.ts';
import { RESULT_PREFIX } from './scenario.ts';
import type { Scenario, ScenarioResult } from './scenario.ts';
import { startTracing } from './tracing.ts';

// The AI SDK logs its warnings with console.log (stdout) unless this global is false.
(globalThis as { AI_SDK_LOG_WARNINGS?: boolean }).AI_SDK_LOG_WARNINGS = false;

const name = process.argv[2] ?? '';
const scenarios = JSON.parse(readFileSync(process.argv[3] ?? '', 'utf8')) as Scenario[];

interface Flushable {
  forceFlush?: () => Promise<void>;
  shutdown?: () => Promise<void>;
  getDelegate?: () => Flushable;
}

async function start(): Promise<{ tracer: Tracer; run: RunScenario; shutdown: () => Promise<void> }> {
  const loadOwn = OWN_TRACING_PRODUCERS[name];
  if (loadOwn) {
    const { run, provider } = await (await loadOwn())();
    const sdk = (provider as Flushable).getDelegate?.() ?? (provider as Flushable);
    return {
      tracer: trace.getTracer('peer-app'),
      run,
      async shutdown() {
        await sdk.forceFlush?.();
        await sdk.shutdown?.();
      },
    };
  }
  const load = PRODUCERS[name];
  if (!load) throw new Error(`unknown producer ${name}`);
  const setup = await load();
  const tracing = startTracing(`peer-${name}`);
  return { tracer: tracing.tracer, run: await setup(tracing), shutdown: () => tracing.shutdown() };
}

const { tracer, run, shutdown } = await start();
for (const s of scenarios) {
  const result = await tracer.startActiveSpan(`scenario ${s.id}`, async (root) => {
    const out: ScenarioResult = { id: s.id, traceId: root.spanContext().traceId };
    try {
      await run(s);
    } catch (e) {
      out.error = (e as Error).constructor.name;
      root.setStatus({ code: SpanStatusCode.ERROR });
    } finally {
      root.end();
    }
    return out;
  });
  process.stdout.write(`${RESULT_PREFIX}${JSON.stringify(result)}\n`);
}
await shutdown();
