/**
 * Prices each model call once when two spans describe it: a wrapper instrumentation's span with the
 * provider SDK's own span under it (Traceloop or OpenInference over the Anthropic SDK's
 * `anthropic.messages.create`), or a producer that nests a call span in another (AI SDK v7
 * `embeddings`). The rule: of a model-call span and its model-call child, the child is the call —
 * it is closest to the wire and, for the Anthropic SDK, the most complete reading.
 *
 * Spans of one trace arrive in several requests and in any order, so:
 * - a model call whose model-call child was already seen is dropped on arrival;
 * - a model call that may be a wrapper (its producer wraps an SDK that traces itself) is held for
 *   `waitMs`; if its child arrives meanwhile the wrapper is dropped, else it is released as the call;
 * - a child whose wrapper was already released is dropped instead (the wait expired, or memory was
 *   full): the call is still counted exactly once, from the wrapper's reading, and counted in
 *   `lateChildren`.
 * Memory is bounded: at most `maxHeld` held spans (the oldest is released first) and `maxRemembered`
 * span ids per kind of memory (recent-map.ts: the newest half of them at least).
 *
 * @module
 */

import type { DecodedSpan } from '../otlp/span.ts';
import type { LlmCallRow } from '../store/rows.ts';
import { OrderedMap } from '../ordered-map.ts';
import { createRecentMap } from '../recent-map.ts';

export interface LeafResolverOptions {
  /** How long a possible wrapper waits for a model-call child. @default 2000 */
  waitMs?: number;
  /** @default 10000 */
  maxHeld?: number;
  /**
   * How many span ids each memory keeps (model calls seen, and spans with a model-call child): the
   * window within which a late child or wrapper is still matched. ~150 bytes per id. @default 50000
   */
  maxRemembered?: number;
  /** Receives each kept call with the span it was read from. */
  emit: (row: LlmCallRow, span: DecodedSpan) => void;
  now?: () => number;
}

export interface LeafResolverStats {
  held: number;
  /** Wrapper spans not priced because their child is the call. */
  droppedWrappers: number;
  /** Child spans not priced because their wrapper had already been written. */
  lateChildren: number;
}

export interface LeafResolver {
  /**
   * `mayWrap`: hold the call a while, in case a model-call child of it arrives. `key`: trace id +
   * span id, when the caller has it already.
   */
  offer(row: LlmCallRow, span: DecodedSpan, mayWrap: boolean, key?: string): void;
  /** Releases held calls whose wait is over. */
  sweep(): void;
  /** Releases every held call (shutdown). */
  drain(): void;
  stats(): LeafResolverStats;
}

type State = 'held' | 'emitted' | 'dropped';

interface Held {
  row: LlmCallRow;
  span: DecodedSpan;
  until: number;
}

export function createLeafResolver(options: LeafResolverOptions): LeafResolver {
  const waitMs = options.waitMs ?? 2000;
  const maxHeld = options.maxHeld ?? 10_000;
  const remembered = options.maxRemembered ?? 50_000;
  const now = options.now ?? Date.now;
  const state = createRecentMap<State>(remembered);
  /** Spans (trace + span id) that have a model-call child already seen. */
  const hasChild = createRecentMap<true>(remembered);
  const held = new OrderedMap<string, Held>();
  const counters = { droppedWrappers: 0, lateChildren: 0 };

  const release = (key: string, h: Held): void => {
    held.delete(key);
    state.set(key, 'emitted');
    options.emit(h.row, h.span);
  };

  return {
    offer(row, span, mayWrap, key = row.trace_id + row.span_id) {
      if (hasChild.get(key)) {
        counters.droppedWrappers++;
        state.set(key, 'dropped');
        return;
      }
      if (row.parent_span_id !== '') {
        const parentKey = row.trace_id + row.parent_span_id;
        hasChild.set(parentKey, true);
        const parent = state.get(parentKey);
        if (parent === 'emitted') {
          counters.lateChildren++;
          state.set(key, 'dropped');
          return;
        }
        if (parent === 'held') {
          held.delete(parentKey);
          state.set(parentKey, 'dropped');
          counters.droppedWrappers++;
        }
      }
      if (!mayWrap) {
        state.set(key, 'emitted');
        options.emit(row, span);
        return;
      }
      if (held.size >= maxHeld) {
        const [oldestKey, oldest] = held.shift() as [string, Held];
        release(oldestKey, oldest);
      }
      held.set(key, { row, span, until: now() + waitMs });
      state.set(key, 'held');
    },

    sweep() {
      const t = now();
      for (const [key, h] of held) {
        if (h.until > t) break; // insertion order = deadline order
        release(key, h);
      }
    },

    drain() {
      for (const [key, h] of [...held]) release(key, h);
    },

    stats() {
      return { held: held.size, ...counters };
    },
  };
}
