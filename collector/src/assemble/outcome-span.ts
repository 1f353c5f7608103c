/**
 * Reads a late outcome: a span `costline.span.kind = outcome` that records, after an action ended,
 * how it ended (`costline.action.id`, `costline.action.outcome`, `costline.action.failure_reason`).
 *
 * @module
 */

import {
  COSTLINE_ACTION_FAILURE_REASON,
  COSTLINE_ACTION_ID,
  COSTLINE_ACTION_OUTCOME,
  COSTLINE_SPAN_KIND,
  COSTLINE_SPAN_KIND_VALUE,
} from '@costline/semconv';
import type { ActionOutcome } from '@costline/semconv';
import type { DecodedSpan } from '../otlp/span.ts';
import { attrString } from '../recognise/attributes.ts';
import { parseOutcome } from './action-row.ts';

export interface LateOutcome {
  actionId: string;
  outcome: ActionOutcome;
  failureReason: string;
}

export class OutcomeSpanError extends Error {
  readonly code = 'OUTCOME_SPAN_INVALID';
}

/** The late outcome a span records, or undefined when it is not an outcome span. */
export function readOutcomeSpan(span: DecodedSpan): LateOutcome | undefined {
  if (span.attributes[COSTLINE_SPAN_KIND] !== COSTLINE_SPAN_KIND_VALUE.outcome) return undefined;
  const actionId = attrString(span.attributes, COSTLINE_ACTION_ID);
  const text = attrString(span.attributes, COSTLINE_ACTION_OUTCOME);
  const outcome = parseOutcome(text);
  if (!actionId) throw new OutcomeSpanError(`outcome span without ${COSTLINE_ACTION_ID}`);
  if (!outcome)
    throw new OutcomeSpanError(
      `outcome span: ${COSTLINE_ACTION_OUTCOME} must be success, failure or unknown, got ${JSON.stringify(text)}`,
    );
  return {
    actionId,
    outcome,
    failureReason:
      outcome === 'failure' ? (attrString(span.attributes, COSTLINE_ACTION_FAILURE_REASON) ?? '') : '',
  };
}
