/**
 * What a peer app is asked to do: one scenario per model call (or per AI SDK call), each run under a
 * root span of its own so the test can find the scenario's rows by trace id.
 *
 * @module
 */

export interface Scenario {
  id: string;
  provider: 'openai' | 'anthropic';
  model: string;
  /** Forced provider usage (the simulator's `x-sim-usage`), exactly as the provider returns it. */
  usage?: Record<string, unknown>;
  stream?: boolean;
  /** The simulator's `x-sim-fault` value; faults here fail every attempt. */
  fault?: string;
}

/** Lines on stdout carrying a {@link ScenarioResult} start with this; producers may print their own. */
export const RESULT_PREFIX = 'peer-result ';

/** One line per scenario on the peer app's stdout. */
export interface ScenarioResult {
  id: string;
  traceId: string;
  error?: string;
}

export function simHeaders(s: Scenario): Record<string, string> {
  const headers: Record<string, string> = {};
  if (s.usage) headers['x-sim-usage'] = JSON.stringify(s.usage);
  if (s.fault) {
    headers['x-sim-fault'] = s.fault;
    headers['x-sim-fault-attempts'] = 'always';
  }
  return headers;
}
