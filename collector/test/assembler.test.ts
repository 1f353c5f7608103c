import { describe, expect, it } from 'vitest';
import { createAssembler } from '../src/assemble/assembler.ts';
import type { DecodedSpan } from '../src/otlp/span.ts';
import type { ActionRow, LlmCallRow } from '../src/store/rows.ts';

function callRow(actionId: string, cost: string, extra: Partial<LlmCallRow> = {}): LlmCallRow {
  return {
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
    // The action span arriving after all still gets a row carrying those calls' totals.
    h.asm.addAction(actionSpan('2222222222222222', 'failure'));
    expect(h.actions[0]).toMatchObject({ outcome: 'failure', llm_calls: 1, cost_usd: '0.500000000000' });
  });

  it('bounds open actions: the oldest is written out as unknown', () => {
    const h = harness({ maxOpenActions: 2 });
    h.asm.addCall(callRow('3333333333333331', '0.1'));
    h.asm.addCall(callRow('3333333333333332', '0.1'));
    h.asm.addCall(callRow('3333333333333333', '0.1'));
    expect(h.calls.map((c) => c.action_id)).toEqual(['3333333333333331']);
    expect(h.asm.stats()).toMatchObject({ evictedActions: 1, openActions: 2 });
  });

  it('gives late calls the outcome of their recently closed action', () => {
    const h = harness();
    h.asm.addAction(actionSpan('4444444444444444', 'failure', 'ticket-triage'));
    h.asm.addCall(callRow('4444444444444444', '0.1'));
    expect(h.calls[0]).toMatchObject({ action_outcome: 'failure', surface: 'ticket-triage' });
    expect(h.asm.stats().lateCalls).toBe(1);
  });

  it('writes calls outside any action at once, as unattributed unless stamped', () => {
    const h = harness();
    h.asm.addCall(callRow('', '0.1'));
    h.asm.addCall(callRow('', '0.1', { surface: 'doc-summary' }));
    expect(h.calls.map((c) => c.surface)).toEqual(['unattributed', 'doc-summary']);
  });
});
