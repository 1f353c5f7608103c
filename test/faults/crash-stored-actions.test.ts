/**
 * A collector killed while rows about an action it had already stored were still in its batch
 * (ARCHITECTURE.md Durability): a late call of the action, or the action span that corrects an
 * action stored from its calls alone. The spool replays those spans; the action is stored already
 * (its other spans replay as duplicates), so the replay must add to it — a delta row, or the
 * correction a crash-free run makes — never write it a second time.
 */

import { afterAll, describe, expect, it } from 'vitest';
import { costlineAction, costlineCall, isCall, requests, spanRecorder } from './crash-spans.ts';
import {
  ACTION_TOTALS,
  CALL_TOTALS,
  CALLS_ONCE,
  crashStore,
  spoolDir,
  totalsOnly,
} from './killed-collector.ts';
import type { ActionTotals } from './killed-collector.ts';

const store = crashStore();
afterAll(async () => {
  await store.live.close();
});

describe('collector killed with rows of an already stored action in its batch', () => {
  it('adds a replayed late call to the stored action (a delta), not a second action', async () => {
    const r = spanRecorder();
    const at = Date.now() - 60_000;
    const action = costlineAction(r.costline, at);
    const stored = r.finished();
    costlineCall(r.costline, action, at + 600, 1500);
    const late = r.finished().slice(stored.length);
    const db = `crash_late_call_${Date.now()}`;
    const spool = spoolDir();
    const first = await store.killable(db, spool);
    await first.post(requests(stored));
    await first.settle();
    await first.collector.flush(); // the action and its two calls are stored
    await first.kill({ kind: 'dead' }, requests(late)); // the late call and its delta row are not

    const second = await store.restart(db, spool);
    await second.stop();
    expect(await store.rows(CALLS_ONCE(db))).toEqual(
      r
        .finished()
        .filter(isCall)
        .map((s) => s.spanContext().spanId)
        .sort()
        .map((span_id) => ({ span_id, n: '1' })),
    );
    const actions = await store.rows<ActionTotals>(ACTION_TOTALS(db));
    // gpt-4o: 4500 in × $2.50 + 750 out × $10 per Mtok
    expect(actions).toEqual([
      {
        action_id: action.spanId,
        surface: 'support-answer',
        outcome: 'success',
        n: '1',
        llm_calls: '3',
        input: '4500',
        output: '750',
        cache_read: '0',
        cost: '0.01875',
      },
    ]);
    expect(actions.map(totalsOnly)).toEqual(await store.rows(CALL_TOTALS(db)));
  });

  it('lets a replayed action span correct the action stored from its calls alone, once', async () => {
    const r = spanRecorder();
    const action = costlineAction(r.costline, Date.now() - 60_000);
    const spans = r.finished();
    const db = `crash_action_span_${Date.now()}`;
    const spool = spoolDir();
    const first = await store.killable(db, spool, { actionWaitMs: 100 });
    await first.post(requests(spans.filter(isCall)));
    await first.settle(); // the calls waited too long: written as an action of outcome unknown
    await first.collector.flush();
    // The action span's correction (cancel, new fact, the calls' outcome) is not stored.
    await first.kill({ kind: 'dead' }, requests(spans.filter((s) => !isCall(s))));

    const second = await store.restart(db, spool);
    await second.stop();
    const actions = await store.rows<ActionTotals>(ACTION_TOTALS(db));
    expect(actions).toEqual([
      {
        action_id: action.spanId,
        surface: 'support-answer',
        outcome: 'success',
        n: '1',
        llm_calls: '2',
        input: '3000',
        output: '500',
        cache_read: '0',
        cost: '0.0125',
      },
    ]);
    expect(actions.map(totalsOnly)).toEqual(await store.rows(CALL_TOTALS(db)));
    // The stored calls take the action's outcome, as they do without a crash.
    expect(
      await store.rows(
        `SELECT action_outcome, toString(sum(sign)) AS n FROM ${db}.llm_calls GROUP BY action_outcome HAVING sum(sign) != 0`,
      ),
    ).toEqual([{ action_outcome: 'success', n: '2' }]);
  });
});
