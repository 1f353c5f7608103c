/**
 * The Vercel AI SDK: v7 with `@ai-sdk/otel` (`OpenTelemetry`: `invoke_agent` → `step` → `chat`),
 * v7 with `LegacyOpenTelemetry`, and v6, v5, v4 built-in telemetry (`ai.generateText` →
 * `.doGenerate`), each with its own provider packages. In every mode the parent span repeats its
 * child's usage; only the child is priced. Where a version loses usage, the test says how.
 */

import { beforeAll, describe, expect, it } from 'vitest';
import { casePico, caseScenario, one, pico, runPeer } from './support/peer-run.ts';
import type { PeerRun, CallRow } from './support/peer-run.ts';

const SCENARIOS = [
  caseScenario('openai-plain', 'openai-cached-inside-prompt'),
  caseScenario('openai-stream', 'openai-cached-inside-prompt', { stream: true }),
  caseScenario('anthropic-plain', 'anthropic-cache-read-and-write'),
  caseScenario('anthropic-stream', 'anthropic-cache-read-and-write', { stream: true }),
  caseScenario('anthropic-429', 'anthropic-cache-read-and-write', { fault: '429' }),
  caseScenario('openai-429', 'openai-cached-second-call', { fault: '429' }),
];

const OPENAI_BUCKETS = {
  input_tokens: 17903,
  uncached_input_tokens: 86,
  cache_read_tokens: 17817,
  output_tokens: 250,
};
const ANTHROPIC_BUCKETS = {
  input_tokens: 6200,
  uncached_input_tokens: 200,
  cache_read_tokens: 5000,
  cache_write_tokens: 1000,
  output_tokens: 300,
};

/**
 * `plainCacheLost`: v5 generateText spans carry only promptTokens/completionTokens (providerMetadata
 * .openai is empty), so the cached part is lost by the producer. `streamUsageLost`: v4's OpenAI
 * provider sends no `stream_options.include_usage` to a custom base URL, so the stream has no usage.
 */
describe.each([
  {
    producer: 'ai-v7',
    dialect: 'ai-sdk-otel',
    failedType: '429',
    plainCacheLost: false,
    streamUsageLost: false,
  },
  {
    producer: 'ai-v7-legacy',
    dialect: 'ai-sdk',
    failedType: '_OTHER',
    plainCacheLost: false,
    streamUsageLost: false,
  },
  {
    producer: 'ai-v6',
    dialect: 'ai-sdk',
    failedType: '_OTHER',
    plainCacheLost: false,
    streamUsageLost: false,
  },
  {
    producer: 'ai-v5',
    dialect: 'ai-sdk',
    failedType: '_OTHER',
    plainCacheLost: true,
    streamUsageLost: false,
  },
  {
    producer: 'ai-v4',
    dialect: 'ai-sdk',
    failedType: '_OTHER',
    plainCacheLost: false,
    streamUsageLost: true,
  },
])('AI SDK ($producer) → collector', ({ producer, dialect, failedType, plainCacheLost, streamUsageLost }) => {
  let run: PeerRun;
  beforeAll(async () => {
    run = await runPeer(producer, SCENARIOS);
  });

  const check = (id: string, caseId: string, buckets: Partial<CallRow>, streaming: boolean): void => {
    const row = one(run, id); // the parent span repeating this usage is not a second row
    expect(row).toMatchObject({
      dialect,
      status: 'ok',
      priced: true,
      usage_missing: false,
      streaming,
      ...buckets,
    });
    expect(pico(row)).toBe(casePico(caseId));
  };

  it('OpenAI: one row per call, cached input inside the prompt total', () => {
    if (plainCacheLost) {
      const row = one(run, 'openai-plain');
      expect(row).toMatchObject({
        dialect,
        provider: 'openai',
        input_tokens: 17903,
        uncached_input_tokens: 17903,
      });
      expect(pico(row)).toBe(47_257_500_000n); // all 17903 priced as uncached
    } else {
      check('openai-plain', 'openai-cached-inside-prompt', { provider: 'openai', ...OPENAI_BUCKETS }, false);
    }
    if (streamUsageLost) {
      // v4 writes NaN token counts: the call is kept, flagged, not priced.
      const row = one(run, 'openai-stream');
      expect(row).toMatchObject({ dialect, streaming: true, usage_missing: true, priced: false });
      expect(row.price_flags).toContain('invalid_usage:gen_ai.usage.input_tokens');
    } else {
      check('openai-stream', 'openai-cached-inside-prompt', { provider: 'openai', ...OPENAI_BUCKETS }, true);
    }
  });

  it('Anthropic: one row per call, cache reads and writes priced once each', () => {
    check(
      'anthropic-plain',
      'anthropic-cache-read-and-write',
      { provider: 'anthropic', ...ANTHROPIC_BUCKETS },
      false,
    );
    check(
      'anthropic-stream',
      'anthropic-cache-read-and-write',
      { provider: 'anthropic', ...ANTHROPIC_BUCKETS },
      true,
    );
  });

  it('a rate-limited call is one failed call at $0', () => {
    for (const id of ['anthropic-429', 'openai-429']) {
      const row = one(run, id);
      expect(row).toMatchObject({ status: 'error', error_type: failedType, priced: true });
      expect(pico(row)).toBe(0n);
    }
  });
});
