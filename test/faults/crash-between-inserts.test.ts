/**
 * A collector killed between the two inserts of one flush (ARCHITECTURE.md Durability): the
 * writer inserts `llm_calls`, then `actions`; a SIGKILL in between leaves the calls stored and their
 * action rows not. Restarted on the same store and spool, the replay must leave exactly what a
 * crash-free run leaves: every call once, every action once, with the totals of its calls — for a
 * Costline action (its action span before or after its calls) and for another producer's action
 * (its local root span, no action span).
 *
 * The crash is injected in-process: the first collector's connection stores the `llm_calls` insert
 * and from then on never answers (test/support/faulty-connection.ts), so nothing more of it
 * reaches the store; the second collector runs on a live connection to the same chDB store.
 */

import { mkdtempSync } from 'node:fs';
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createClient } from '@clickhouse/client';
import type { ClickHouseClient } from '@clickhouse/client';
import { context, SpanKind, trace } from '@opentelemetry/api';
import type { Attributes, Tracer } from '@opentelemetry/api';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { InMemorySpanExporter, SimpleSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';
import type { ReadableSpan } from '@opentelemetry/sdk-trace';
import { createChdbConnection } from 'chdb/connection';
import { afterAll, describe, expect, it } from 'vitest';
import { createCollector } from '@costline/collector';
import type { Collector } from '@costline/collector';
import { serialise } from '../bench/support/otlp-batches.ts';
import { faultyConnection } from '../support/faulty-connection.ts';
import type { ConnectionLike, Fault, FaultyConnection } from '../support/faulty-connection.ts';

type ClientConnection = NonNullable<Parameters<typeof createClient>[0]>['connection'];

const inner = createChdbConnection({
  path: mkdtempSync(join(tmpdir(), 'costline-crash-between-')),
}) as unknown as ConnectionLike;

function clientOn(fault: Fault): { client: ClickHouseClient; faulty: FaultyConnection<ConnectionLike> } {
  const faulty = faultyConnection(inner);
  faulty.set(fault);
  const client = createClient({
    connection: faulty.connection as unknown as ClientConnection,
    clickhouse_settings: { output_format_json_quote_decimals: 1 },
  });
  return { client, faulty };
}

/** The live client: the restarted collector's, and the test's reads. Closed last (it closes chDB). */
const live = clientOn({ kind: 'none' }).client;
afterAll(async () => {
  await live.close();
});

async function rows<T>(query: string): Promise<T[]> {
  return (await live.query({ query, format: 'JSONEachRow' })).json<T>();
}

const chat = (input: number, output: number): Attributes => ({
  'gen_ai.operation.name': 'chat',
  'gen_ai.request.model': 'gpt-4o',
  'gen_ai.usage.input_tokens': input,
  'gen_ai.usage.output_tokens': output,
});

/** A Costline action span with two model calls under it, as @costline/instrument emits them. */
function costlineAction(tracer: Tracer, at: number): void {
  const act = tracer.startSpan('action support-answer', {
    startTime: at,
    attributes: { 'costline.surface': 'support-answer' },
  });
  const id = act.spanContext().spanId;
  act.setAttributes({ 'costline.span.kind': 'action', 'costline.action.id': id });
  const ctx = trace.setSpan(context.active(), act);
  for (const [i, input] of [1000, 2000].entries()) {
    tracer
      .startSpan(
        'chat gpt-4o',
        {
          kind: SpanKind.CLIENT,
          startTime: at + 10 + i,
          attributes: {
            ...chat(input, 250),
            'gen_ai.provider.name': 'openai',
            'gen_ai.response.model': 'gpt-4o-2024-08-06',
            'costline.surface': 'support-answer',
            'costline.action.id': id,
          },
        },
        ctx,
      )
      .end(at + 400 + i);
  }
  act.setAttributes({ 'costline.action.outcome': 'success' });
  act.end(at + 500);
}

/** Another producer's trace: an HTTP server root, a Traceloop workflow, an OpenAI call. */
function foreignTrace(provider: TracerProvider, at: number): void {
  const root = provider.getTracer('@opentelemetry/instrumentation-http').startSpan('POST /triage', {
    kind: SpanKind.SERVER,
    startTime: at,
    attributes: { 'http.route': '/triage' },
  });
  const workflow = provider
    .getTracer('traceloop')
    .startSpan(
      'triage workflow',
      { startTime: at + 1, attributes: { 'traceloop.workflow.name': 'ticket-triage' } },
      trace.setSpan(context.active(), root),
    );
  provider
    .getTracer('opentelemetry.instrumentation.openai.v1', '0.40.0')
    .startSpan(
      'chat gpt-4o',
      {
        kind: SpanKind.CLIENT,
        startTime: at + 2,
        attributes: { ...chat(1000, 100), 'gen_ai.system': 'openai' },
      },
      trace.setSpan(context.active(), workflow),
    )
    .end(at + 300);
  workflow.end(at + 310);
  root.end(at + 320);
}

/**
 * The spans of three actions, in the order they end: a Costline action (calls, then its action
 * span), another Costline action whose action span is sent BEFORE its calls (they come late to it),
 * and another producer's trace (children first).
 */
function spansToSend(): ReadableSpan[] {
  const memory = new InMemorySpanExporter();
  const provider = new TracerProvider({
    resource: resourceFromAttributes({ 'service.name': 'crash-app' }),
    spanProcessors: [new SimpleSpanProcessor({ exporter: memory })],
  });
  const costline = provider.getTracer('@costline/instrument', '0.1.0');
  const at = Date.now() - 60_000;
  costlineAction(costline, at);
  costlineAction(costline, at + 1000);
  foreignTrace(provider, at + 2000);
  const spans = memory.getFinishedSpans();
  // The second action: its action span first (index 5), then its two calls (3, 4).
  return [spans[0], spans[1], spans[2], spans[5], spans[3], spans[4], ...spans.slice(6)].filter(
    (s): s is ReadableSpan => s !== undefined,
  );
}

async function startCollector(
  client: ClickHouseClient,
  database: string,
  spoolDir: string,
): Promise<Collector> {
  return createCollector({
    store: { dataDir: 'unused', database },
    client,
    port: 0,
    // One flush for everything: the test triggers it.
    flushIntervalMs: 60_000,
    leafWaitMs: 50,
    spoolDir,
    log: () => {},
  });
}

/**
 * Runs a collector that takes `bodies` (each acknowledged: spooled), writes them in one flush and
 * dies just after the insert into `table` is stored.
 */
async function runAndKill(
  database: string,
  spoolDir: string,
  bodies: Buffer[],
  table: string,
): Promise<void> {
  const { client, faulty } = clientOn({ kind: 'none' });
  const c = await startCollector(client, database, spoolDir);
  const server: Server = createServer(c.app);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1/traces`;
  for (const body of bodies) {
    const res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/x-protobuf', 'content-encoding': 'gzip' },
      body,
    });
    await res.arrayBuffer();
    expect(res.status).toBe(200);
  }
  // Every action is assembled (nothing waits) and its rows sit in the writer's batch.
  for (let i = 0; i < 100 && (c.pipeline.leafStats().held > 0 || c.assembler.stats().openActions > 0); i++) {
    await new Promise((r) => setTimeout(r, 20));
    c.pipeline.sweep();
  }
  expect(c.assembler.stats().openActions).toBe(0);
  faulty.set({ kind: 'dead-after-insert', table });
  void c.flush();
  for (let i = 0; i < 200 && (faulty.failures()['insert'] ?? 0) === 0; i++)
    await new Promise((r) => setTimeout(r, 20));
  expect(faulty.failures()['insert']).toBe(1);
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
  // The collector object is left as it is: dead, like the killed process.
}

interface ActionTotals {
  action_id: string;
  surface: string;
  outcome: string;
  n: string;
  llm_calls: string;
  input: string;
  output: string;
  cache_read: string;
  cost: string;
}

/** Per action: its row count (`sum(sign)`) and totals, beside the same totals summed over its calls. */
const ACTION_TOTALS = (db: string): string => `
  SELECT action_id, surface, outcome, toString(sum(sign)) AS n, toString(sum(llm_calls)) AS llm_calls,
         toString(sum(input_tokens)) AS input, toString(sum(output_tokens)) AS output,
         toString(sum(cache_read_tokens)) AS cache_read, toString(sum(cost_usd)) AS cost
  FROM ${db}.actions GROUP BY action_id, surface, outcome HAVING sum(sign) != 0 ORDER BY action_id`;
const CALL_TOTALS = (db: string): string => `
  SELECT action_id, toString(sumIf(sign, NOT app_cache_hit)) AS llm_calls,
         toString(sum(input_tokens)) AS input, toString(sum(output_tokens)) AS output,
         toString(sum(cache_read_tokens)) AS cache_read, toString(sum(cost_usd)) AS cost
  FROM ${db}.llm_calls GROUP BY action_id ORDER BY action_id`;
const CALLS_ONCE = (db: string): string =>
  `SELECT span_id, toString(sum(sign)) AS n FROM ${db}.llm_calls GROUP BY span_id ORDER BY span_id`;

describe('collector killed between the llm_calls and actions inserts of a flush', () => {
  const spans = spansToSend();
  const bodies = serialise(spans, 1).batches; // one request per span, as a SimpleSpanProcessor sends
  const callIds = spans
    .filter((s) => s.attributes['gen_ai.operation.name'] === 'chat')
    .map((s) => s.spanContext().spanId);

  it('replays the spool into every call once and every action once, with the totals of its calls', async () => {
    const db = `crash_between_${Date.now()}`;
    const spoolDir = mkdtempSync(join(tmpdir(), 'costline-crash-between-spool-'));
    await runAndKill(db, spoolDir, bodies, 'llm_calls');
    // The crash left the calls stored and no action row.
    expect(await rows(`SELECT toString(count()) AS n FROM ${db}.llm_calls`)).toEqual([{ n: '5' }]);
    expect(await rows(`SELECT toString(count()) AS n FROM ${db}.actions`)).toEqual([{ n: '0' }]);

    const second = await startCollector(live, db, spoolDir);
    expect(second.assembler.stats().openActions).toBe(0); // the replay assembled every action
    await second.stop();

    expect(await rows(CALLS_ONCE(db))).toEqual(callIds.sort().map((span_id) => ({ span_id, n: '1' })));
    const actions = await rows<ActionTotals>(ACTION_TOTALS(db));
    // gpt-4o: $2.50 in, $10 out per Mtok. Each Costline action: 3000 in + 500 out; the other: 1000 + 100.
    expect(
      actions.map(({ action_id: _, ...a }) => a).sort((x, y) => x.surface.localeCompare(y.surface)),
    ).toEqual([
      {
        surface: 'support-answer',
        outcome: 'success',
        n: '1',
        llm_calls: '2',
        input: '3000',
        output: '500',
        cache_read: '0',
        cost: '0.0125',
      },
      {
        surface: 'support-answer',
        outcome: 'success',
        n: '1',
        llm_calls: '2',
        input: '3000',
        output: '500',
        cache_read: '0',
        cost: '0.0125',
      },
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
    expect(actions.map(({ surface: _s, outcome: _o, n: _n, ...a }) => a)).toEqual(
      await rows(CALL_TOTALS(db)),
    );
    // The aggregates the dashboards read agree: three actions, their cost that of their calls.
    expect(
      await rows(
        `SELECT toString(sum(actions)) AS actions, toString(sum(action_cost_usd)) AS action_cost,
                toString(sum(cost_usd)) AS cost FROM ${db}.surface_minute`,
      ),
    ).toEqual([{ actions: '3', action_cost: '0.0285', cost: '0.0285' }]);
  });

  it('replays a flush that was stored whole into nothing new', async () => {
    const db = `crash_after_${Date.now()}`;
    const spoolDir = mkdtempSync(join(tmpdir(), 'costline-crash-after-spool-'));
    await runAndKill(db, spoolDir, bodies, 'actions');
    const counts = `SELECT (SELECT toString(count()) FROM ${db}.llm_calls) AS calls,
                           (SELECT toString(count()) FROM ${db}.actions) AS actions`;
    const before = await rows(counts);
    const second = await startCollector(live, db, spoolDir);
    await second.stop();
    expect(await rows(counts)).toEqual(before);
    expect(await rows(CALLS_ONCE(db))).toEqual(callIds.sort().map((span_id) => ({ span_id, n: '1' })));
    const actions = await rows<ActionTotals>(ACTION_TOTALS(db));
    expect(actions.map((a) => a.n)).toEqual(['1', '1', '1']);
    expect(actions.map(({ surface: _s, outcome: _o, n: _n, ...a }) => a)).toEqual(
      await rows(CALL_TOTALS(db)),
    );
  });
});
