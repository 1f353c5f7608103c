import type { Scenario } from '../scenario.ts';
import type { PeerTracing } from '../tracing.ts';

/** Registers one producer and returns how to run a scenario with it. */
export type Producer = (tracing: PeerTracing) => Promise<(s: Scenario) => Promise<void>>;
