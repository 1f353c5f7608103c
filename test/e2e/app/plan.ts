/**
 * The plan the scripted app performs: actions on surfaces, each with its calls and outcome.
 *
 * @module
 */

export interface PlannedCall {
  provider: 'openai' | 'anthropic' | 'google';
  model: string;
  /** The provider-native usage object the simulator returns for this call. */
  usage: Record<string, unknown>;
  stream?: boolean;
  /** `x-sim-fault` for the call, e.g. `429` (first attempt only) or `500!` (every attempt). */
  fault?: string;
}

export interface PlannedAction {
  surface: string;
  customer: string;
  /** `none` ends the action unmarked (outcome unknown); `throw` fails it by an exception. */
  outcome: 'success' | 'fail' | 'throw' | 'none';
  calls: PlannedCall[];
  cacheHit?: { model: string; provider: string };
}

export interface Plan {
  actions: PlannedAction[];
}
