/**
 * Small builders shared by the pricer tests.
 *
 * @module
 */

import { emptyUsage } from '../../src/usage.ts';
import type { Usage } from '../../src/usage.ts';

/** A {@link Usage} with every bucket 0 except those given. */
export function usageOf(buckets: Partial<Usage>): Usage {
  return { ...emptyUsage(), ...buckets };
}

/** A time after every price change the tests rely on. */
export const NOW = new Date('2026-11-15T12:00:00Z');
