/**
 * `recordOutcome(actionId, outcome, reason)`: the verdict on an action that already ended — the user
 * rejected the answer an hour later, a ticket was reopened, a refund was reversed. It is recorded as
 * a short span of its own (`costline.span.kind = outcome`, keys in `@costline/semconv`), in whatever
 * trace is current, so it can come from another request or another process; the collector applies the
 * latest outcome to the action with that id.
 *
 * @module
 */

import { context, diag, SpanKind, trace, type Link } from '@opentelemetry/api';
import {
  ACTION_OUTCOME,
  COSTLINE_ACTION_FAILURE_REASON,
  COSTLINE_ACTION_ID,
  COSTLINE_ACTION_OUTCOME,
  COSTLINE_ACTION_TRACE_ID,
  COSTLINE_CUSTOMER_ID,
  COSTLINE_INSTRUMENTATION_SCOPE,
  COSTLINE_SPAN_KIND,
  COSTLINE_SPAN_KIND_VALUE,
  COSTLINE_SURFACE,
  type ActionOutcome,
} from '@costline/semconv';
import { withoutAction } from './action-context.ts';
import { VERSION } from './version.ts';

export interface OutcomeOptions {
  /** The action's trace id (`action.traceId`), so the outcome span links to the action span. */
  traceId?: string;
  /** The action's surface and customer, when the caller knows them (never taken from the context). */
  surface?: string;
  customer?: string;
}

const SPAN_ID = /^[0-9a-f]{16}$/;
const TRACE_ID = /^[0-9a-f]{32}$/;
const OUTCOMES: ReadonlySet<string> = new Set(Object.values(ACTION_OUTCOME));

/** Error for a call that cannot be recorded: the key and the value are named. */
export class OutcomeError extends Error {
  readonly code = 'COSTLINE_OUTCOME_INVALID';
  constructor(message: string) {
    super(message);
    this.name = 'OutcomeError';
  }
}

/**
 * Records `outcome` for the action `actionId` (its `action.id`, 16 lowercase hex). `reason` is a short,
 * stable code (never user content), kept on a failure only. Throws an `OutcomeError` for an id or
 * outcome that could never match (a programming error); telemetry failures are only logged.
 */
export function recordOutcome(
  actionId: string,
  outcome: ActionOutcome,
  reason?: string,
  options: OutcomeOptions = {},
): void {
  if (typeof actionId !== 'string' || !SPAN_ID.test(actionId)) {
    throw new OutcomeError(
      `recordOutcome: actionId must be 16 lowercase hex (an action's id), got ${JSON.stringify(actionId)}`,
    );
  }
  if (!OUTCOMES.has(outcome)) {
    throw new OutcomeError(
      `recordOutcome: outcome must be success, failure or unknown, got ${JSON.stringify(outcome)}`,
    );
  }
  const traceId =
    options.traceId !== undefined && TRACE_ID.test(options.traceId) ? options.traceId : undefined;
  try {
    const links: Link[] = traceId ? [{ context: { traceId, spanId: actionId, traceFlags: 1 } }] : [];
    const tracer = trace.getTracer(COSTLINE_INSTRUMENTATION_SCOPE, VERSION);
    const span = tracer.startSpan(
      `outcome ${options.surface ?? actionId}`,
      { kind: SpanKind.INTERNAL, links },
      withoutAction(context.active()),
    );
    span.setAttributes({
      [COSTLINE_SPAN_KIND]: COSTLINE_SPAN_KIND_VALUE.outcome,
      [COSTLINE_ACTION_ID]: actionId,
      [COSTLINE_ACTION_OUTCOME]: outcome,
      ...(outcome === ACTION_OUTCOME.failure && reason !== undefined
        ? { [COSTLINE_ACTION_FAILURE_REASON]: reason }
        : undefined),
      ...(traceId ? { [COSTLINE_ACTION_TRACE_ID]: traceId } : undefined),
      ...(options.surface !== undefined ? { [COSTLINE_SURFACE]: options.surface } : undefined),
      ...(options.customer !== undefined ? { [COSTLINE_CUSTOMER_ID]: options.customer } : undefined),
    });
    span.end();
  } catch (error) {
    diag.debug('@costline/instrument: could not record an outcome', error);
  }
}
