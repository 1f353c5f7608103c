/**
 * One simulator per test file, reset before each test, and the real SDK clients pointed at it.
 *
 * @module
 */
import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { afterAll, beforeAll, beforeEach } from 'vitest';
import { createProviderSimulator } from '../create-simulator.ts';
import type { ProviderSimulator, SimulatorOptions } from '../types.ts';

export interface SimulatorHarness {
  readonly sim: ProviderSimulator;
  openai(options?: { maxRetries?: number }): OpenAI;
  anthropic(options?: { maxRetries?: number }): Anthropic;
}

export function useSimulator(options: SimulatorOptions = {}): SimulatorHarness {
  const sim = createProviderSimulator(options);
  beforeAll(async () => {
    await sim.start();
  });
  afterAll(async () => {
    await sim.stop();
  });
  beforeEach(() => sim.reset());
  return {
    sim,
    openai: ({ maxRetries = 2 } = {}) => new OpenAI({ baseURL: `${sim.url}/v1`, apiKey: 'test', maxRetries }),
    anthropic: ({ maxRetries = 2 } = {}) => new Anthropic({ baseURL: sim.url, apiKey: 'test', maxRetries }),
  };
}

/** About `tokens` tokens of text under the simulator's four-characters-per-token rule. */
export function textOfTokens(tokens: number, fill = 'abcd'): string {
  return fill.repeat(tokens);
}
