/**
 * A collector killed between the two inserts of one flush (ARCHITECTURE.md Durability): the
 * writer inserts `llm_calls`, then `actions`; a SIGKILL in between leaves the calls stored and their
 * action rows not. Restarted on the same store and spool, the replay must leave exactly what a
 * crash-free run leaves: every call once, every action once, with the totals of its calls — for a
 * Costline action (its action span after or before its calls) and for another producer's action
 * (its local root span, no action span).
 *
 * The crash is injected in-process (killed-collector.ts): the first collector's connection stores
 * the `llm_calls` insert and from then on never answers, so nothing more of it reaches the store.
 */

import type { ReadableSpan } from '@opentelemetry/sdk-trace';
import { afterAll, describe, expect, it } from 'vitest';
import { costlineAction, foreignTrace, isCall, requests, spanRecorder } from './crash-spans.ts';
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

/**
 * Three actions, in the order they are sent: a Costline action (its calls, then its action span),
 * another Costline action whose action span is sent BEFORE its calls (they come late to it), and
 * another producer's trace (children first).
 */
function spansToSend(): ReadableSpan[] {
  const r = spanRecorder();
  const at = Date.now() - 60_000;
  costlineAction(r.costline, at);
  costlineAction(r.costline, at + 1000);
  foreignTrace(r.provider, at + 2000);
  const s = r.finished();
  // The second action: its action span first (index 5), then its two calls (3, 4).
  return [s[0], s[1], s[2], s[5], s[3], s[4], ...s.slice(6)].filter(
    (x): x is ReadableSpan => x !== undefined,
  );
}

describe('collector killed between the llm_calls and actions inserts of a flush', () => {
  const spans = spansToSend();
  const bodies = requests(spans);
  const callsOnce = spans
    .filter(isCall)
    .map((s) => s.spanContext().spanId)
    .sort()
    .map((span_id) => ({ span_id, n: '1' }));

  it('replays the spool into every call once and every action once, with the totals of its calls', async () => {
    const db = `crash_between_${Date.now()}`;
    const spool = spoolDir();
    const first = await store.killable(db, spool);
    await first.post(bodies);
    await first.settle(); // every action assembled, its rows in the writer's batch
    await first.kill({ kind: 'dead-after-insert', table: 'llm_calls' });
    // The crash left the calls stored and no action row.
    expect(await store.rows(`SELECT toString(count()) AS n FROM ${db}.llm_calls`)).toEqual([{ n: '5' }]);
    expect(await store.rows(`SELECT toString(count()) AS n FROM ${db}.actions`)).toEqual([{ n: '0' }]);

    const second = await store.restart(db, spool);
    expect(second.assembler.stats().openActions).toBe(0); // the replay assembled every action
    await second.stop();

    expect(await store.rows(CALLS_ONCE(db))).toEqual(callsOnce);
    const actions = await store.rows<ActionTotals>(ACTION_TOTALS(db));
    // gpt-4o: $2.50 in, $10 out per Mtok. Each Costline action: 3000 in + 500 out; the other: 1000 + 100.
    const costline = { surface: 'support-answer', outcome: 'success', n: '1', llm_calls: '2' };
    expect(
      actions.map(({ action_id: _, ...a }) => a).sort((x, y) => x.surface.localeCompare(y.surface)),
    ).toEqual([
      { ...costline, input: '3000', output: '500', cache_read: '0', cost: '0.0125' },
      { ...costline, input: '3000', output: '500', cache_read: '0', cost: '0.0125' },
      {
        surface: 'ticket-triage',
        outcome: 'success',
        n: '1',
        llm_calls: '1',
        input: '1000',
        output: '100',
        cache_read: '0',
        cost: '0.0035',
      },
    ]);
    expect(actions.map(totalsOnly)).toEqual(await store.rows(CALL_TOTALS(db)));
    // The aggregates the dashboards read agree: three actions, their cost that of their calls.
    expect(
      await store.rows(
        `SELECT toString(sum(actions)) AS actions, toString(sum(action_cost_usd)) AS action_cost,
                toString(sum(cost_usd)) AS cost FROM ${db}.surface_minute`,
      ),
    ).toEqual([{ actions: '3', action_cost: '0.0285', cost: '0.0285' }]);
  });

  it('replays a flush that was stored whole into nothing new', async () => {
    const db = `crash_after_${Date.now()}`;
    const spool = spoolDir();
    const first = await store.killable(db, spool);
    await first.post(bodies);
    await first.settle();
    await first.kill({ kind: 'dead-after-insert', table: 'actions' });
    const counts = `SELECT (SELECT toString(count()) FROM ${db}.llm_calls) AS calls,
                           (SELECT toString(count()) FROM ${db}.actions) AS actions`;
    const before = await store.rows(counts);
    const second = await store.restart(db, spool);
    await second.stop();
    expect(await store.rows(counts)).toEqual(before);
    expect(await store.rows(CALLS_ONCE(db))).toEqual(callsOnce);
    const actions = await store.rows<ActionTotals>(ACTION_TOTALS(db));
    expect(actions.map((a) => a.n)).toEqual(['1', '1', '1']);
    expect(actions.map(totalsOnly)).toEqual(await store.rows(CALL_TOTALS(db)));
  });
});
