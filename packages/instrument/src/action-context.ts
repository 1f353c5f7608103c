/**
 * The active action, carried in the OpenTelemetry context (AsyncLocalStorage under the Node SDK), and
 * the context attributes every span started inside it gets: surface, action id and customer.
 *
 * The key is `Symbol.for(...)` (what `createContextKey` returns), so two copies of this package in one
 * process still see each other's actions.
 *
 * @module
 */

import { createContextKey, type Attributes, type Context } from '@opentelemetry/api';
import { COSTLINE_ACTION_ID, COSTLINE_CUSTOMER_ID, COSTLINE_SURFACE } from '@costline/semconv';
import type { RetryTracker } from './retry-tracker.ts';

/** What an action shares with the spans started inside it. Mutable: the customer can be set late. */
export interface ActionState {
  readonly id: string;
  readonly surface: string;
  customer: string | undefined;
  /** App-level retries of model calls within this action (`costline.retry.attempt`). */
  readonly retries: RetryTracker;
}

const ACTION_KEY = createContextKey('@costline/instrument.action');

export function withAction(ctx: Context, state: ActionState): Context {
  return ctx.setValue(ACTION_KEY, state);
}

/** `ctx` outside any action: spans started in it get no action's stamp. */
export function withoutAction(ctx: Context): Context {
  return ctx.deleteValue(ACTION_KEY);
}

export function actionIn(ctx: Context): ActionState | undefined {
  const value = ctx.getValue(ACTION_KEY);
  return typeof value === 'object' && value !== null ? (value as ActionState) : undefined;
}

/** The context attributes of `state`, stamped on every span started inside the action. */
export function actionAttributes(state: ActionState): Attributes {
  return {
    [COSTLINE_SURFACE]: state.surface,
    [COSTLINE_ACTION_ID]: state.id,
    ...(state.customer !== undefined ? { [COSTLINE_CUSTOMER_ID]: state.customer } : undefined),
  };
}
