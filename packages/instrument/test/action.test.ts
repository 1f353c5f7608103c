import { context, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import type { ReadableSpan } from '@opentelemetry/sdk-trace';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { action } from '../src/index.ts';
import { startTestTracing, type TestTracing } from './support/tracing.ts';

let tracing: TestTracing;
beforeAll(() => {
  tracing = startTestTracing();
});
afterAll(() => tracing.stop());
beforeEach(() => tracing.reset());

const only = (name: string): ReadableSpan => {
  const spans = tracing.byName(name);
  expect(spans).toHaveLength(1);
  return spans[0]!;
};

class QuotaExceededError extends Error {}

describe('action()', () => {
  it('records an explicit success with surface, id and customer', async () => {
    const result = await action(
      'support-answer',
      async (a) => {
        await Promise.resolve();
        a.success();
        return a.id;
      },
      { customer: 'acme' },
    );
    const span = only('action support-answer');
    expect(span.kind).toBe(SpanKind.INTERNAL);
    expect(span.instrumentationScope.name).toBe('@costline/instrument');
    expect(result).toBe(span.spanContext().spanId);
    expect(result).toMatch(/^[0-9a-f]{16}$/);
    expect(span.status.code).toBe(SpanStatusCode.UNSET);
    expect(span.attributes).toEqual({
      'costline.span.kind': 'action',
      'costline.surface': 'support-answer',
      'costline.action.id': result,
      'costline.customer.id': 'acme',
      'costline.action.outcome': 'success',
    });
  });

  it('records fail(reason) as a failure with status ERROR', () => {
    const value = action('ticket-triage', (a) => {
      a.fail('no_category');
      return 42;
    });
    expect(value).toBe(42);
    const span = only('action ticket-triage');
    expect(span.status).toEqual({ code: SpanStatusCode.ERROR, message: 'no_category' });
    expect(span.attributes).toEqual({
      'costline.span.kind': 'action',
      'costline.surface': 'ticket-triage',
      'costline.action.id': span.spanContext().spanId,
      'costline.action.outcome': 'failure',
      'costline.action.failure_reason': 'no_category',
    });
  });

  it('records a throw as a failure named by the error class (never its message) and rethrows it', async () => {
    const error = new QuotaExceededError('customer jane@example.com is over quota');
    await expect(
      action('doc-summary', async () => {
        await Promise.resolve();
        throw error;
      }),
    ).rejects.toBe(error);
    expect(() =>
      action('doc-summary-sync', () => {
        throw new TypeError('bad input: secret');
      }),
    ).toThrow(TypeError);

    const asyncSpan = only('action doc-summary');
    expect(asyncSpan.attributes['costline.action.outcome']).toBe('failure');
    expect(asyncSpan.attributes['costline.action.failure_reason']).toBe('QuotaExceededError');
    expect(asyncSpan.status).toEqual({ code: SpanStatusCode.ERROR, message: 'QuotaExceededError' });
    expect(asyncSpan.events).toEqual([]);
    expect(JSON.stringify(asyncSpan.attributes)).not.toContain('jane');
    expect(only('action doc-summary-sync').attributes['costline.action.failure_reason']).toBe('TypeError');
  });

  it('records unknown when fn returns without a mark', () => {
    action('doc-summary', () => undefined);
    expect(only('action doc-summary').attributes['costline.action.outcome']).toBe('unknown');
  });

  it('records a cache hit: success, a zero-cost app_cache child span with the avoided model', () => {
    action(
      'support-answer',
      (a) => {
        a.cacheHit({ avoidedModel: 'gpt-4o', avoidedProvider: 'openai' });
      },
      { customer: 'acme' },
    );
    const parent = only('action support-answer');
    const id = parent.spanContext().spanId;
    expect(parent.attributes).toEqual({
      'costline.span.kind': 'action',
      'costline.surface': 'support-answer',
      'costline.action.id': id,
      'costline.customer.id': 'acme',
      'costline.action.outcome': 'success',
      'costline.app_cache.hit': true,
    });
    const hit = only('app_cache support-answer');
    expect(hit.parentSpanContext?.spanId).toBe(id);
    expect(hit.attributes).toEqual({
      'costline.span.kind': 'app_cache',
      'costline.surface': 'support-answer',
      'costline.action.id': id,
      'costline.customer.id': 'acme',
      'costline.app_cache.hit': true,
      'costline.app_cache.avoided_model': 'gpt-4o',
      'costline.app_cache.avoided_provider': 'openai',
    });
  });

  it('records an early exit like a cache hit, with the rule; fail() still wins', () => {
    action('ticket-triage', (a) => a.earlyExit('empty-input'));
    const parent = only('action ticket-triage');
    expect(parent.attributes).toEqual({
      'costline.span.kind': 'action',
      'costline.surface': 'ticket-triage',
      'costline.action.id': parent.spanContext().spanId,
      'costline.action.outcome': 'success',
      'costline.app_cache.hit': true,
      'costline.early_exit.rule': 'empty-input',
    });
    expect(only('app_cache ticket-triage').attributes).toEqual({
      'costline.span.kind': 'app_cache',
      'costline.surface': 'ticket-triage',
      'costline.action.id': parent.spanContext().spanId,
      'costline.app_cache.hit': true,
      'costline.early_exit.rule': 'empty-input',
    });

    tracing.reset();
    action('ticket-triage', (a) => {
      a.cacheHit();
      a.fail('stale_cache');
    });
    expect(only('action ticket-triage').attributes['costline.action.outcome']).toBe('failure');
  });

  it('stamps surface, action id and customer on every span started inside, including a late customer', async () => {
    const other = trace.getTracer('some-db-instrumentation');
    await action('support-answer', async (a) => {
      other.startSpan('db.query before').end();
      await new Promise((resolve) => setTimeout(resolve, 1));
      a.setCustomer('globex');
      other.startSpan('db.query after').end();
    });
    const parent = only('action support-answer');
    const id = parent.spanContext().spanId;
    expect(only('db.query before').attributes).toEqual({
      'costline.surface': 'support-answer',
      'costline.action.id': id,
    });
    expect(only('db.query after').attributes).toEqual({
      'costline.surface': 'support-answer',
      'costline.action.id': id,
      'costline.customer.id': 'globex',
    });
    expect(only('db.query after').parentSpanContext?.spanId).toBe(id);
    expect(parent.attributes['costline.customer.id']).toBe('globex');
  });

  it('keeps concurrent and nested actions apart across awaits', async () => {
    const other = trace.getTracer('http');
    const job = (surface: string, delay: number) =>
      action(surface, async (a) => {
        await new Promise((resolve) => setTimeout(resolve, delay));
        other.startSpan(`work ${surface}`).end();
        await action(`${surface}-inner`, async () => {
          await new Promise((resolve) => setTimeout(resolve, delay));
          other.startSpan(`inner work ${surface}`).end();
        });
        a.success();
      });
    await action('request', () => Promise.all([job('a', 5), job('b', 1)]), { customer: 'acme' });
    for (const surface of ['a', 'b']) {
      const outer = only(`action ${surface}`);
      const inner = only(`action ${surface}-inner`);
      expect(only(`work ${surface}`).attributes['costline.action.id']).toBe(outer.spanContext().spanId);
      expect(inner.attributes['costline.surface']).toBe(`${surface}-inner`);
      expect(inner.attributes['costline.action.id']).toBe(inner.spanContext().spanId);
      expect(inner.parentSpanContext?.spanId).toBe(outer.spanContext().spanId);
      expect(only(`inner work ${surface}`).attributes).toEqual({
        'costline.surface': `${surface}-inner`,
        'costline.action.id': inner.spanContext().spanId,
        'costline.customer.id': 'acme',
      });
    }
    expect(trace.getSpan(context.active())).toBeUndefined();
  });
});
