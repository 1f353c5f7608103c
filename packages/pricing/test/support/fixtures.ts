/**
 * Typed access to the shared pricing cases (`fixtures/pricing.json`, a byte-exact copy of the cases
 * reduced from public bug reports against other LLM cost tools).
 *
 * @module
 */

import { readFileSync } from 'node:fs';

export interface PricingCase {
  id: string;
  why: string;
  provider: string;
  model: string;
  time: string;
  service_tier?: string;
  tool_calls?: Record<string, number>;
  usage: unknown;
  /** JSON numbers as the hand computation wrote them; any key the case lists is asserted. */
  expect: Record<string, unknown>;
}

export interface SpanCase {
  id: string;
  why: string;
  expect: Record<string, unknown>;
}

export interface PricingCasesFile {
  about: string;
  cases: PricingCase[];
  span_cases: SpanCase[];
}

export const PRICING_CASES_TEXT = readFileSync(new URL('../fixtures/pricing.json', import.meta.url), 'utf8');
export const PRICING_CASES = JSON.parse(PRICING_CASES_TEXT) as PricingCasesFile;
