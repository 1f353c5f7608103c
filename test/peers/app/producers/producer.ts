import type { TracerProvider } from '@opentelemetry/api';
import type { Scenario } from '../scenario.ts';
import type { PeerTracing } from '../tracing.ts';

export type RunScenario = (s: Scenario) => Promise<void>;

/** Registers one producer on the app's tracer provider and returns how to run a scenario with it. */
export type Producer = (tracing: PeerTracing) => RunScenario | Promise<RunScenario>;

/** A producer that sets up its own tracer provider and exporter (and registers it globally). */
export type OwnTracingProducer = () =>
  { run: RunScenario; provider: TracerProvider } | Promise<{ run: RunScenario; provider: TracerProvider }>;
