/**
 * A service instrumented by another producer (argv[2]: traceloop, openinference, ai-v7, …) running the
 * scenarios in the JSON file argv[3] against the provider simulator (`SIM_URL`), exporting its spans
 * over OTLP/HTTP to the collector (`COLLECTOR_URL`). Prints one {@link ScenarioResult} per line.
 *
 * @module
 */

import { readFileSync } from 'node:fs';
import { SpanStatusCode } from '@opentelemetry/api';
import { PRODUCERS } from './producers/index.ts';
import type { Scenario, ScenarioResult } from './scenario.ts';
import { startTracing } from './tracing.ts';

const name = process.argv[2] ?? '';
const setup = PRODUCERS[name];
if (!setup) throw new Error(`unknown producer ${name}`);
const scenarios = JSON.parse(readFileSync(process.argv[3] ?? '', 'utf8')) as Scenario[];
const tracing = startTracing(`peer-${name}`);
const run = await setup(tracing);

for (const s of scenarios) {
  const result = await tracing.tracer.startActiveSpan(`scenario ${s.id}`, async (root) => {
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
  process.stdout.write(`${JSON.stringify(result)}\n`);
}
await tracing.shutdown();
