/**
 * The assembler's public shape: its options (with defaults), its counters and its methods.
 *
 * @module
 */

import type { DecodedSpan } from '../otlp/span.ts';
import type { OutcomeChange } from '../store/outcome-correction.ts';
import type { StoredAction } from '../store/stored-actions.ts';
import type { ActionRow, LlmCallRow } from '../store/rows.ts';
import type { CallSummary } from './call-summary.ts';

export interface AssemblerOptions {
  /** Most actions whose calls may wait at once. @default 10000 */
  maxOpenActions?: number;
  /** How long calls wait for their action. @default 60000 */
  maxWaitMs?: number;
  /** Bound on the (estimated) bytes of waiting calls, trace nodes and remembered actions. @default 256 MiB */
  maxHeldBytes?: number;
  /** How many closed actions are remembered for late calls and outcomes. @default 20000 */
  recentClosed?: number;
  /**
   * How many ids of actions written from their calls alone (outcome `unknown`) are remembered, so
   * their action span, arriving after the action itself was forgotten, corrects the stored rows.
   * @default 200000
   */
  recentReleased?: number;
  /**
   * How many ids of actions the store held at start (`markStored`) are remembered, so their calls
   * and action spans that come again add to the stored rows instead of writing the action twice.
   * @default 200000
   */
  recentStored?: number;
  /** Attributes naming the surface of another producer's action. @default DEFAULT_SURFACE_ATTRIBUTES */
  surfaceAttributes?: readonly string[];
  emit: (calls: LlmCallRow[], actions: ActionRow[]) => void;
  /**
   * The outcome of an action changed after its calls were stored (late action span or late
   * outcome): their rows need a cancel and a new fact. `actions` is true when the assembler does not
   * hold the action either, so its row must be corrected from the store too.
   */
  onOutcomeChange?: (change: OutcomeChange) => void;
  /**
   * A call came for an action written from its calls alone and forgotten here since: the call is
   * written, and `delta` must be added to the action row in the store.
   */
  onStoredDelta?: (actionId: string, delta: CallSummary) => void;
  now?: () => number;
}

export interface AssemblerStats {
  openActions: number;
  waitingCalls: number;
  heldBytes: number;
  expiredActions: number;
  evictedActions: number;
  lateCalls: number;
  lateOutcomes: number;
  orphanCalls: number;
}

export interface Assembler {
  /**
   * A model call (or app-cache answer). `rowStored`: the store already holds this row, counted in
   * no stored action row (replayed after a crash between a flush's two inserts) — it counts in its
   * action's totals, but is not written again.
   */
  addCall(row: LlmCallRow, span?: DecodedSpan, rowStored?: boolean): void;
  addAction(span: DecodedSpan): void;
  /** Any other span: a late outcome, or part of another producer's trace. */
  addSpan(span: DecodedSpan): void;
  /** Writes out what waited longer than `maxWaitMs`. Call it periodically. */
  sweep(): void;
  /** Writes out everything still waiting (shutdown). */
  drain(): void;
  /**
   * Marks actions as already stored (read back from the store at start). Needs `onStoredDelta`:
   * without it they are assembled as before.
   */
  markStored(actions: Iterable<StoredAction>): void;
  stats(): AssemblerStats;
}
