/**
 * The pricing.json span cases, and one call described by a wrapper span plus the SDK's own span
 * arriving in separate requests in either order — through the real OTLP exporter to a real
 * collector and chDB. The spans are HAND-WRITTEN, shaped as recorded in DIALECTS.md (§8.3) and by the
 * peer apps (test/peers); expected costs are the pricing.json cases.
 */

import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { usdToPico } from '../src/store/money.ts';
import { rows } from './support/chdb.ts';
import { startTestCollector } from './support/collector.ts';
import type { TestCollector } from './support/collector.ts';
import { postSpans } from './support/post-spans.ts';
import type { StoredCall } from './support/post-spans.ts';

let tc: TestCollector;
beforeAll(async () => {
  tc = await startTestCollector({ leafWaitMs: 50 });
});
afterAll(async () => {
  await tc.stop();
});

const usd = (row: StoredCall | undefined): bigint => usdToPico(row?.cost_usd ?? 'NaN');

/** Traceloop's Anthropic span with the Anthropic SDK's own span under it (as recorded in DIALECTS.md §8.3). */
function wrapperAndSdkSpan(): Parameters<typeof postSpans>[1] {
  return [
    {
      name: 'chat claude-sonnet-4-5-20250929',
      kind: SpanKind.CLIENT,
      scope: '@traceloop/instrumentation-anthropic',
      scopeVersion: '0.27.0',
      attributes: {
        'gen_ai.provider.name': 'anthropic',
        'gen_ai.operation.name': 'chat',
        'gen_ai.request.model': 'claude-sonnet-4-5-20250929',
        'gen_ai.usage.input_tokens': 12,
        'gen_ai.usage.cache_creation.input_tokens': 37175,
        'gen_ai.usage.output_tokens': 800,
      },
      children: [
        {
          name: 'anthropic.messages.create',
          kind: SpanKind.CLIENT,
          scope: 'com.anthropic.sdk.typescript',
          scopeVersion: '0.137.0',
          attributes: {
            'gen_ai.provider.name': 'anthropic',
            'gen_ai.operation.name': 'chat',
            'gen_ai.request.model': 'claude-sonnet-4-5-20250929',
            'gen_ai.usage.input_tokens': 37187,
            'gen_ai.usage.cache_write.input_tokens': 37175,
            'anthropic.usage.cache_creation.ephemeral_1h_input_tokens': 37175,
            'gen_ai.usage.output_tokens': 800,
          },
        },
      ],
    },
  ];
}

describe('AI SDK version from the recorded user agent', () => {
  it('a v6 span whose detail keys were stripped (as the Traceloop rewrite does) is still read as inclusive', async () => {
    const calls = await postSpans(tc, [
      {
        name: 'chat claude-3-5-sonnet-20241022',
        scope: 'ai',
        attributes: {
          'ai.operationId': 'ai.generateText.doGenerate',
          'ai.request.headers.user-agent': 'ai/6.0.333',
          'gen_ai.provider.name': 'anthropic',
          'gen_ai.request.model': 'claude-3-5-sonnet-20241022',
          'gen_ai.usage.input_tokens': 6200,
          'ai.usage.cachedInputTokens': 5000,
          'gen_ai.usage.output_tokens': 300,
        },
      },
    ]);
    // 1200 uncached × $3 + 5000 read × $0.30 + 300 × $15 per Mtok — not 6200 uncached on top of the read.
    expect(calls[0]).toMatchObject({ dialect: 'ai-sdk', input_tokens: 6200, uncached_input_tokens: 1200 });
    expect(usd(calls[0])).toBe(usdToPico('0.0096'));
  });
});

describe('a wrapper span and the SDK span of one call, in separate requests', () => {
  it.each(['children-first', 'parents-first'] as const)(
    '%s: one row, priced from the SDK span (1-hour write)',
    async (order) => {
      const calls = await postSpans(tc, wrapperAndSdkSpan(), order);
      expect(calls).toHaveLength(1);
      expect(calls[0]).toMatchObject({ dialect: 'anthropic-sdk', cache_write_1h_tokens: 37175 });
      expect(usd(calls[0])).toBe(usdToPico('0.235086')); // anthropic-one-hour-cache-write
    },
  );
});

// The app-cache span case is in span-cases.test.ts (with both sources of the avoided cost); these
// two add what only other producers' spans and the action row show.
describe('pricing.json span cases across producers', () => {
  it('rate-limited-call-costs-nothing: $0, counted as a failed call of its action', async () => {
    const calls = await postSpans(tc, [
      {
        name: 'support-answer',
        scope: '@costline/instrument',
        attributes: {
          'costline.span.kind': 'action',
          'costline.action.id': 'act-429',
          'costline.surface': 'support-answer',
          'costline.action.outcome': 'failure',
        },
        children: [
          {
            name: 'chat gpt-4o',
            kind: SpanKind.CLIENT,
            scope: '@costline/instrument',
            status: { code: SpanStatusCode.ERROR, message: '429 Too Many Requests' },
            attributes: {
              'gen_ai.operation.name': 'chat',
              'gen_ai.provider.name': 'openai',
              'gen_ai.request.model': 'gpt-4o',
              'error.type': 'RateLimitError',
              'costline.action.id': 'act-429',
              'costline.surface': 'support-answer',
            },
          },
        ],
      },
    ]);
    expect(calls).toHaveLength(1);
    expect(calls[0]).toMatchObject({ status: 'error', error_type: 'RateLimitError', priced: true });
    expect(usd(calls[0])).toBe(0n);
    const [action] = await actionRow('act-429');
    expect(action).toMatchObject({ llm_calls: 1, failed_calls: 1, cost_usd: '0' });
  });

  it('agent-span-repeating-children-usage: the trace costs the sum of its leaf calls', async () => {
    const leaf = (tokens: number): Parameters<typeof postSpans>[1][number] => ({
      name: 'chat gpt-4o-mini',
      kind: SpanKind.CLIENT,
      scope: 'acme-agents',
      attributes: {
        'gen_ai.operation.name': 'chat',
        'gen_ai.provider.name': 'openai',
        'gen_ai.request.model': 'gpt-4o-mini-2024-07-18',
        'gen_ai.usage.input_tokens': tokens,
        'gen_ai.usage.output_tokens': 500,
      },
    });
    const calls = await postSpans(tc, [
      {
        name: 'invoke_agent triage',
        scope: 'acme-agents',
        attributes: {
          'gen_ai.operation.name': 'invoke_agent',
          'gen_ai.agent.name': 'triage',
          'gen_ai.usage.input_tokens': 3000, // the sum of its two calls
          'gen_ai.usage.output_tokens': 1000,
        },
        children: [leaf(1000), leaf(2000)],
      },
      {
        name: 'ai.generateText',
        scope: 'ai',
        attributes: {
          'ai.operationId': 'ai.generateText',
          'ai.model.provider': 'openai.chat',
          'ai.model.id': 'gpt-4o-mini-2024-07-18',
          'ai.usage.promptTokens': 1000,
          'ai.usage.completionTokens': 500,
        },
        children: [
          {
            name: 'ai.generateText.doGenerate',
            scope: 'ai',
            attributes: {
              'ai.operationId': 'ai.generateText.doGenerate',
              'ai.model.provider': 'openai.chat',
              'ai.model.id': 'gpt-4o-mini-2024-07-18',
              'ai.usage.promptTokens': 1000,
              'ai.usage.completionTokens': 500,
            },
          },
        ],
      },
    ]);
    expect(calls).toHaveLength(3);
    const total = calls.reduce((sum, c) => sum + usd(c), 0n);
    // 1000 in: $0.00045; 2000 in: $0.0006 (gpt-4o-mini $0.15 / $0.60), and the AI SDK call $0.00045.
    expect(total).toBe(usdToPico('0.00045') + usdToPico('0.0006') + usdToPico('0.00045'));
  });
});

async function actionRow(
  id: string,
): Promise<{ llm_calls: number; failed_calls: number; cost_usd: string }[]> {
  return rows(
    `SELECT llm_calls, failed_calls, toString(cost_usd) AS cost_usd FROM ${tc.database}.actions WHERE action_id = '${id}'`,
  );
}
