import { describe, expect, it } from 'vitest';
import { createAssembler } from '../src/assemble/assembler.ts';
import type { DecodedSpan } from '../src/otlp/span.ts';
import type { ActionRow, LlmCallRow } from '../src/store/rows.ts';

let spanSeq = 0;
function callRow(actionId: string, cost: string, extra: Partial<LlmCallRow> = {}): LlmCallRow {
  spanSeq++;
  return {
    ts: '2025-11-23 12:13:20.100',
    trace_id: 'a'.repeat(32),
    span_id: spanSeq.toString(16).padStart(16, '0'),
    parent_span_id: actionId,
    service: 'svc',
    duration_ms: 200,
    action_id: actionId,
    cost_usd: cost,
    surface: '',
    customer: '',
    action_outcome: 'unknown',
    app_cache_hit: false,
    avoided_cost_usd: '0',
    status: 'ok',
    sdk_retries: 0,
    retry_attempt: 0,
    input_tokens: 10,
    output_tokens: 5,
    cache_read_tokens: 0,
    ...extra,
  } as LlmCallRow;
}

function actionSpan(id: string, outcome: string, surface = 'support-answer'): DecodedSpan {
  return {
    traceId: 'a'.repeat(32),
    spanId: id,
    parentSpanId: '',
    name: `action ${surface}`,
    kind: 1,
    startTimeUnixNano: 1_763_900_000_000_000_000n,
    endTimeUnixNano: 1_763_900_001_500_000_000n,
    attributes: {
      'costline.span.kind': 'action',
      'costline.surface': surface,
      'costline.action.id': id,
      'costline.action.outcome': outcome,
    },
    events: [],
    statusCode: 0,
    statusMessage: '',
    scopeName: '@costline/instrument',
    scopeVersion: '0.1.0',
    resource: { 'service.name': 'svc' },
  };
}

function harness(opts: { maxOpenActions?: number; maxWaitMs?: number } = {}) {
  const calls: LlmCallRow[] = [];
  const actions: ActionRow[] = [];
  let now = 0;
  const asm = createAssembler({
    ...opts,
    now: () => now,
    emit: (c, a) => {
      calls.push(...c);
      actions.push(...a);
    },
  });
  return { asm, calls, actions, tick: (ms: number) => (now += ms) };
}

describe('action assembly', () => {
  it('holds calls until their action span arrives, then writes both with the outcome', () => {
    const h = harness();
    h.asm.addCall(callRow('1111111111111111', '0.1', { status: 'error', sdk_retries: 2 }));
    h.asm.addCall(callRow('1111111111111111', '0.2', { retry_attempt: 1 }));
    expect(h.calls).toHaveLength(0);
    h.asm.addAction(actionSpan('1111111111111111', 'success'));
    expect(h.calls.map((c) => [c.action_outcome, c.surface])).toEqual([
      ['success', 'support-answer'],
      ['success', 'support-answer'],
    ]);
    expect(h.actions).toHaveLength(1);
    expect(h.actions[0]).toMatchObject({
      outcome: 'success',
      llm_calls: 2,
      failed_calls: 1,
      retries: 3,
      cost_usd: '0.300000000000',
      duration_ms: 1500,
    });
  });

  it('writes calls whose action never comes as unknown after the wait, and counts them', () => {
    const h = harness({ maxWaitMs: 1000 });
    h.asm.addCall(callRow('2222222222222222', '0.5'));
    h.tick(999);
    h.asm.sweep();
    expect(h.calls).toHaveLength(0);
    h.tick(2);
    h.asm.sweep();
    expect(h.calls).toEqual([
      expect.objectContaining({ action_outcome: 'unknown', surface: 'unattributed' }),
    ]);
    expect(h.asm.stats()).toMatchObject({ expiredActions: 1, openActions: 0, waitingCalls: 0 });
    // Kept with its cost as an action of outcome unknown (cases/ingest-and-streams.md #6).
    expect(h.actions).toEqual([
      expect.objectContaining({ outcome: 'unknown', llm_calls: 1, cost_usd: '0.500000000000', sign: 1 }),
    ]);
    // The action span arriving after all replaces that row: a cancel row, then the real fact row.
    h.asm.addAction(actionSpan('2222222222222222', 'failure'));
    expect(h.actions.slice(1)).toEqual([
      expect.objectContaining({ outcome: 'unknown', llm_calls: -1, cost_usd: '-0.500000000000', sign: -1 }),
      expect.objectContaining({ outcome: 'failure', llm_calls: 1, cost_usd: '0.500000000000', sign: 1 }),
    ]);
  });

  it('bounds open actions: the oldest is written out as unknown', () => {
    const h = harness({ maxOpenActions: 2 });
    h.asm.addCall(callRow('3333333333333331', '0.1'));
    h.asm.addCall(callRow('3333333333333332', '0.1'));
    h.asm.addCall(callRow('3333333333333333', '0.1'));
    expect(h.calls.map((c) => c.action_id)).toEqual(['3333333333333331']);
    expect(h.asm.stats()).toMatchObject({ evictedActions: 1, openActions: 2 });
  });

  it('gives late calls the outcome of their recently closed action and a delta row on its totals', () => {
    const h = harness();
    h.asm.addAction(actionSpan('4444444444444444', 'failure', 'ticket-triage'));
    h.asm.addCall(callRow('4444444444444444', '0.1'));
    h.asm.addCall(callRow('4444444444444444', '0.25', { input_tokens: 7 }));
    expect(h.calls[0]).toMatchObject({ action_outcome: 'failure', surface: 'ticket-triage' });
    expect(h.asm.stats().lateCalls).toBe(2);
    expect(h.actions).toEqual([
      expect.objectContaining({ sign: 1, llm_calls: 0, cost_usd: '0.000000000000', duration_ms: 1500 }),
      expect.objectContaining({ sign: 0, llm_calls: 1, cost_usd: '0.100000000000', duration_ms: 0 }),
      expect.objectContaining({ sign: 0, llm_calls: 1, cost_usd: '0.250000000000', input_tokens: 7 }),
    ]);
    // Every delta carries the action's keys, so GROUP BY surface/outcome stays right.
    for (const a of h.actions) expect(a).toMatchObject({ outcome: 'failure', surface: 'ticket-triage' });
  });

  it('applies a late outcome: cancel and new fact for the action, and asks to correct stored calls', () => {
    const changes: unknown[] = [];
    const actions: ActionRow[] = [];
    const asm = createAssembler({
      emit: (_c, a) => actions.push(...a),
      onOutcomeChange: (c) => changes.push(c),
    });
    asm.addCall(callRow('5555555555555555', '0.3'));
    asm.addAction(actionSpan('5555555555555555', 'success'));
    const outcome = (o: string): DecodedSpan => ({
      ...actionSpan('9999999999999999', o),
      attributes: {
        'costline.span.kind': 'outcome',
        'costline.action.id': '5555555555555555',
        'costline.action.outcome': o,
        'costline.action.failure_reason': 'user_rejected',
      },
    });
    asm.addSpan(outcome('failure'));
    asm.addSpan(outcome('failure')); // delivered again: nothing more
    expect(actions).toEqual([
      expect.objectContaining({ sign: 1, outcome: 'success', cost_usd: '0.300000000000' }),
      expect.objectContaining({
        sign: -1,
        outcome: 'success',
        cost_usd: '-0.300000000000',
        duration_ms: -1500,
      }),
      expect.objectContaining({
        sign: 1,
        outcome: 'failure',
        failure_reason: 'user_rejected',
        cost_usd: '0.300000000000',
      }),
    ]);
    expect(changes).toEqual([
      { actionId: '5555555555555555', outcome: 'failure', failureReason: 'user_rejected', actions: false },
    ]);
  });

  it("uses another producer's root span as the action, its status as outcome, surface from the chain", () => {
    const h = harness();
    const trace = 'b'.repeat(32);
    const span = (
      id: string,
      parent: string,
      attrs: Record<string, string> = {},
      status = 0,
    ): DecodedSpan => ({
      ...actionSpan(id, 'x'),
      traceId: trace,
      spanId: id,
      parentSpanId: parent,
      name: `span ${id}`,
      attributes: attrs,
      statusCode: status,
      scopeName: 'opentelemetry.instrumentation.openai',
    });
    const leaf = span('000000000000000c', '000000000000000b');
    h.asm.addCall(
      callRow('', '0.4', { trace_id: trace, span_id: leaf.spanId, parent_span_id: leaf.parentSpanId }),
      leaf,
    );
    h.asm.addSpan(span('000000000000000b', '000000000000000a', { 'traceloop.workflow.name': 'triage' }));
    expect(h.calls).toHaveLength(0);
    h.asm.addSpan(span('000000000000000a', '', { 'http.route': '/tickets' }, 2));
    expect(h.calls).toEqual([
      expect.objectContaining({
        action_id: '000000000000000a',
        action_outcome: 'failure',
        surface: 'triage',
      }),
    ]);
    expect(h.actions).toEqual([
      expect.objectContaining({
        action_id: '000000000000000a',
        outcome: 'failure',
        surface: 'triage',
        llm_calls: 1,
      }),
    ]);
  });

  it('keeps a call whose parent never arrives, with its cost, as an unknown action — cases #6', () => {
    const h = harness({ maxWaitMs: 1000 });
    const trace = 'c'.repeat(32);
    const leaf: DecodedSpan = {
      ...actionSpan('00000000000000f2', 'x'),
      traceId: trace,
      parentSpanId: '00000000000000f1',
      attributes: {},
      scopeName: 'openinference.instrumentation.openai',
    };
    h.asm.addCall(
      callRow('', '0.7', { trace_id: trace, span_id: leaf.spanId, parent_span_id: leaf.parentSpanId }),
      leaf,
    );
    h.tick(1001);
    h.asm.sweep();
    expect(h.calls).toEqual([expect.objectContaining({ cost_usd: '0.7', action_outcome: 'unknown' })]);
    expect(h.actions).toEqual([
      expect.objectContaining({
        action_id: '00000000000000f1',
        outcome: 'unknown',
        cost_usd: '0.700000000000',
      }),
    ]);
    expect(h.asm.stats().orphanCalls).toBe(1);
  });

  it('writes calls outside any action at once, as unattributed unless stamped', () => {
    const h = harness();
    h.asm.addCall(callRow('', '0.1'));
    h.asm.addCall(callRow('', '0.1', { surface: 'doc-summary' }));
    expect(h.calls.map((c) => c.surface)).toEqual(['unattributed', 'doc-summary']);
  });

  it('counts a call whose row is already stored in its action, open or closed, without writing it again', () => {
    const h = harness();
    const id = '5555555555555555';
    const fresh = callRow(id, '0.1');
    h.asm.addCall(callRow(id, '0.2', { input_tokens: 7 }), undefined, true);
    h.asm.addCall(fresh);
    h.asm.addAction(actionSpan(id, 'success'));
    h.asm.addCall(callRow(id, '0.4', { input_tokens: 3 }), undefined, true); // after the action closed
    expect(h.calls).toEqual([fresh]);
    expect(h.actions).toEqual([
      expect.objectContaining({ sign: 1, llm_calls: 2, input_tokens: 17, cost_usd: '0.300000000000' }),
      expect.objectContaining({ sign: 0, llm_calls: 1, input_tokens: 3, cost_usd: '0.400000000000' }),
    ]);
  });

  it('never writes an action the store held at start again: its calls add to it, its span corrects it', () => {
    const calls: LlmCallRow[] = [];
    const actions: ActionRow[] = [];
    const deltas: [string, number][] = [];
    const adopted: unknown[] = [];
    const asm = createAssembler({
      emit: (c, a) => {
        calls.push(...c);
        actions.push(...a);
      },
      onStoredDelta: (id, d) => deltas.push([id, d.llmCalls]),
      onOutcomeChange: (change) => adopted.push([change.actionId, change.adopt?.llm_calls]),
    });
    asm.markStored([
      { actionId: '6666666666666661', callsOnly: false },
      { actionId: '6666666666666662', callsOnly: true },
    ]);
    asm.addCall(callRow('6666666666666661', '0.1'));
    asm.addAction(actionSpan('6666666666666661', 'success')); // re-delivered: dropped
    asm.addCall(callRow('6666666666666662', '0.2'));
    expect(deltas).toEqual([
      ['6666666666666661', 1],
      ['6666666666666662', 1],
    ]);
    expect(calls).toHaveLength(2);
    expect(actions).toEqual([]);
    // The action span of the one stored from its calls alone: a new row that takes their totals.
    asm.addAction(actionSpan('6666666666666662', 'failure'));
    expect(actions).toEqual([
      expect.objectContaining({ action_id: '6666666666666662', outcome: 'failure', sign: 1 }),
    ]);
    expect(adopted).toEqual([['6666666666666662', 0]]);
  });
});
