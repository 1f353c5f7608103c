/**
 * Costs a producer computed itself: OpenLIT's `gen_ai.usage.cost`, Langfuse's
 * `langfuse.observation.cost_details`, OpenInference's `llm.cost.total`. Each uses its own price
 * table (or whatever the user passed), so they are kept as a hint beside our price
 * (`llm_calls.producer_cost_usd`), never used as the cost (DIALECTS.md §8.12).
 *
 * @module
 */

import type { AttrMap } from '../otlp/span.ts';
import { attrNumber } from './attributes.ts';
import { jsonAttribute } from './json-attribute.ts';

/** A Decimal(18,12) text for a producer's float, or null when the span carries no usable cost. */
export function producerCostUsd(attrs: AttrMap): string | null {
  const direct = attrNumber(attrs, 'gen_ai.usage.cost', 'llm.cost.total');
  if (direct !== undefined) return toDecimal(direct);
  const details = jsonAttribute(attrs, 'langfuse.observation.cost_details');
  if (!details) return null;
  if (typeof details['total'] === 'number') return toDecimal(details['total']);
  let sum = 0;
  let seen = false;
  for (const v of Object.values(details)) {
    if (typeof v === 'number') {
      sum += v;
      seen = true;
    }
  }
  return seen ? toDecimal(sum) : null;
}

/** Rounded to the column's 12 places; a negative, huge or non-finite hint is dropped. */
function toDecimal(n: number): string | null {
  if (!Number.isFinite(n) || n < 0 || n >= 1e6) return null;
  return n.toFixed(12);
}
