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
 * Memory is bounded: at most `maxHeld` held spans (the oldest is released first) and twice
 * `maxRemembered` span ids of both kinds of memory together (span-key-table.ts: the newest half of
 * them at least).
 *
 * @module
 */

import type { DecodedSpan } from '../otlp/span.ts';
import type { LlmCallRow } from '../store/rows.ts';
import { OrderedMap } from '../ordered-map.ts';
import { createSpanKeyTable } from '../span-key-table.ts';

export interface LeafResolverOptions {
  /** How long a possible wrapper waits for a model-call child. @default 2000 */
  waitMs?: number;
  /** @default 10000 */
  maxHeld?: number;
  /**
   * How many span ids each kind of memory keeps (model calls seen, and spans with a model-call
   * child), in one table of twice as many: the window within which a late child or wrapper is
   * still matched. ~50 bytes per id, in typed arrays. @default 50000
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
  /** `mayWrap`: hold the call a while, in case a model-call child of it arrives. */
  offer(row: LlmCallRow, span: DecodedSpan, mayWrap: boolean): void;
  /** Releases held calls whose wait is over. */
  sweep(): void;
  /** Releases every held call (shutdown). */
  drain(): void;
  stats(): LeafResolverStats;
}

/**
 * A remembered span's value: a model call's state in the low two bits (0: not remembered as a
 * call), and whether a model-call child of the span was seen.
 */
const HELD = 1;
const EMITTED = 2;
const DROPPED = 3;
const STATE = 3;
const HAS_CHILD = 4;

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
  // Both memories in one table (a call and its wrapper are one entry each, whatever they hold): the
  // span's own entry and its parent's are three lookups per call, where two tables took four.
  const spans = createSpanKeyTable(remembered * 2);
  /** Held calls by trace id + span id. */
  const held = new OrderedMap<string, Held>();
  const counters = { droppedWrappers: 0, lateChildren: 0 };

  const release = (key: string, h: Held): void => {
    held.delete(key);
    spans.set(h.row.trace_id, h.row.span_id, EMITTED);
    options.emit(h.row, h.span);
  };

  return {
    offer(row, span, mayWrap) {
      const trace = row.trace_id;
      if ((spans.get(trace, row.span_id) & HAS_CHILD) !== 0) {
        counters.droppedWrappers++;
        spans.set(trace, row.span_id, HAS_CHILD | DROPPED);
        return;
      }
      if (row.parent_span_id !== '') {
        const parent = spans.or(trace, row.parent_span_id, HAS_CHILD) & STATE;
        if (parent === EMITTED) {
          counters.lateChildren++;
          spans.set(trace, row.span_id, DROPPED);
          return;
        }
        if (parent === HELD) {
          held.delete(trace + row.parent_span_id);
          spans.set(trace, row.parent_span_id, HAS_CHILD | DROPPED);
          counters.droppedWrappers++;
        }
      }
      if (!mayWrap) {
        spans.set(trace, row.span_id, EMITTED);
        options.emit(row, span);
        return;
      }
      const key = trace + row.span_id;
      if (held.size >= maxHeld) {
        const [oldestKey, oldest] = held.shift() as [string, Held];
        release(oldestKey, oldest);
      }
      held.set(key, { row, span, until: now() + waitMs });
      spans.set(trace, row.span_id, HELD);
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
