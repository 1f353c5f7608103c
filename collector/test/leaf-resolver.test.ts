/**
 * The leaf resolver on its own, with a fake clock: which of a wrapper span and its model-call child
 * is kept, in every arrival order, and what the memory bounds do.
 */

import { describe, expect, it } from 'vitest';
import { createLeafResolver } from '../src/recognise/leaf-resolver.ts';
import type { DecodedSpan } from '../src/otlp/span.ts';
import type { LlmCallRow } from '../src/store/rows.ts';

const TRACE = 'a'.repeat(32);
/** The span a row was read from only travels with it. */
const SPAN = {} as DecodedSpan;

/** Only the ids matter to the resolver; the rest of the row is carried through untouched. */
function row(spanId: string, parentSpanId = ''): LlmCallRow {
  return { trace_id: TRACE, span_id: spanId, parent_span_id: parentSpanId } as LlmCallRow;
}

function setup(opts: { waitMs?: number; maxHeld?: number } = {}) {
  let t = 0;
  const out: string[] = [];
  const r = createLeafResolver({ ...opts, emit: (x) => out.push(x.span_id), now: () => t });
  return { r, out, advance: (ms: number) => (t += ms) };
}

describe('leaf resolver', () => {
  it('child first: the wrapper arriving later is dropped', () => {
    const { r, out } = setup();
    r.offer(row('child', 'wrapper'), SPAN, false);
    r.offer(row('wrapper', 'root'), SPAN, true);
    r.drain();
    expect(out).toEqual(['child']);
    expect(r.stats()).toEqual({ held: 0, droppedWrappers: 1, lateChildren: 0 });
  });

  it('wrapper first (held): its child arriving within the wait replaces it', () => {
    const { r, out, advance } = setup({ waitMs: 1000 });
    r.offer(row('wrapper', 'root'), SPAN, true);
    expect(r.stats().held).toBe(1);
    advance(999);
    r.sweep();
    r.offer(row('child', 'wrapper'), SPAN, false);
    r.drain();
    expect(out).toEqual(['child']);
    expect(r.stats()).toMatchObject({ held: 0, droppedWrappers: 1 });
  });

  it('a held wrapper with no child is released when the wait is over, then a late child is dropped', () => {
    const { r, out, advance } = setup({ waitMs: 1000 });
    r.offer(row('wrapper', 'root'), SPAN, true);
    advance(1000);
    r.sweep();
    expect(out).toEqual(['wrapper']);
    r.offer(row('child', 'wrapper'), SPAN, false);
    expect(out).toEqual(['wrapper']); // still one call
    expect(r.stats()).toEqual({ held: 0, droppedWrappers: 0, lateChildren: 1 });
  });

  it('a span that cannot wrap is written at once; unrelated calls are all kept', () => {
    const { r, out } = setup();
    r.offer(row('a', 'root'), SPAN, false);
    r.offer(row('b', 'root'), SPAN, false);
    r.offer(row('c'), SPAN, false);
    expect(out).toEqual(['a', 'b', 'c']);
  });

  it('a wrapper with two model-call children (retries inside it) keeps both children', () => {
    const { r, out } = setup();
    r.offer(row('try1', 'wrapper'), SPAN, false);
    r.offer(row('try2', 'wrapper'), SPAN, false);
    r.offer(row('wrapper', 'root'), SPAN, true);
    r.drain();
    expect(out).toEqual(['try1', 'try2']);
  });

  it('memory is bounded: past maxHeld the oldest held call is released', () => {
    const { r, out } = setup({ maxHeld: 2 });
    r.offer(row('w1'), SPAN, true);
    r.offer(row('w2'), SPAN, true);
    r.offer(row('w3'), SPAN, true);
    expect(out).toEqual(['w1']);
    expect(r.stats().held).toBe(2);
    r.drain();
    expect(out).toEqual(['w1', 'w2', 'w3']);
  });
});
