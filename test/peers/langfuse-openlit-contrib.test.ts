/**
 * Langfuse 5 (`@langfuse/openai`: `usage_details` is a partition), OpenLIT 1.15 (its own provider
 * and OTLP/HTTP JSON exporter; Anthropic input exclusive; its own cost as a hint) and the contrib
 * `@opentelemetry/instrumentation-openai` 0.22 (plain semconv, no cache attribute).
 */

import { beforeAll, describe, expect, it } from 'vitest';
import { casePico, caseScenario, one, pico, runPeer } from './support/peer-run.ts';
import type { PeerRun } from './support/peer-run.ts';

const OPENAI = [
  caseScenario('openai-plain', 'openai-cached-inside-prompt'),
  caseScenario('openai-stream', 'openai-cached-inside-prompt', { stream: true }),
  caseScenario('openai-429', 'openai-cached-second-call', { fault: '429' }),
];

describe('Langfuse → collector', () => {
  let run: PeerRun;
  beforeAll(async () => {
    run = await runPeer('langfuse', OPENAI);
  });

  it('sums the usage_details partition back into totals (input 86 + cached 17817)', () => {
    for (const [id, streaming] of [
      ['openai-plain', false],
      ['openai-stream', true],
    ] as const) {
      const row = one(run, id);
      expect(row).toMatchObject({
        dialect: 'langfuse',
        provider: 'openai', // Langfuse names no provider: inferred from the model
        response_model: 'gpt-4o-2024-08-06',
        streaming,
        input_tokens: 17903,
        uncached_input_tokens: 86,
        cache_read_tokens: 17817,
        output_tokens: 250,
        priced: true,
      });
      expect(pico(row)).toBe(casePico('openai-cached-inside-prompt'));
    }
  });

  it('a failed generation (level ERROR, status unset) is one failed call at $0; its cost_details kept as a hint', () => {
    const row = one(run, 'openai-429');
    expect(row).toMatchObject({ status: 'error', priced: true });
    expect(pico(row)).toBe(0n);
    expect(row.producer_cost_usd).toBe('0');
  });
});

describe('OpenLIT → collector', () => {
  let run: PeerRun;
  beforeAll(async () => {
    run = await runPeer(
      'openlit',
      [
        ...OPENAI,
        caseScenario('anthropic-plain', 'anthropic-cache-read-and-write'),
        caseScenario('anthropic-stream', 'anthropic-cache-read-and-write', { stream: true }),
        caseScenario('anthropic-429', 'anthropic-cache-read-and-write', { fault: '429' }),
      ],
      { ANTHROPIC_OPEN_TELEMETRY: 'false' },
    );
  });

  it('OpenAI chat, plain and streaming: inclusive input with the cache read', () => {
    for (const [id, streaming] of [
      ['openai-plain', false],
      ['openai-stream', true],
    ] as const) {
      const row = one(run, id);
      expect(row).toMatchObject({
        dialect: 'openlit',
        provider: 'openai',
        streaming,
        input_tokens: 17903,
        cache_read_tokens: 17817,
        output_tokens: 250,
      });
      expect(pico(row)).toBe(casePico('openai-cached-inside-prompt'));
    }
  });

  it('Anthropic: OpenLIT passes the raw exclusive input_tokens (200); the cache is added, priced once', () => {
    const row = one(run, 'anthropic-plain');
    expect(row).toMatchObject({
      dialect: 'openlit',
      provider: 'anthropic',
      input_tokens: 6200,
      uncached_input_tokens: 200,
      cache_read_tokens: 5000,
      cache_write_tokens: 1000,
      output_tokens: 300,
    });
    expect(pico(row)).toBe(casePico('anthropic-cache-read-and-write'));
    // OpenLIT could not fetch its price list here, so its own cost says 0: kept as a hint, not used.
    expect(row.producer_cost_usd).toBe('0');
  });

  it("Anthropic stream: OpenLIT adds message_start's placeholder to the cumulative output (301); corrected to 300", () => {
    const row = one(run, 'anthropic-stream');
    expect(row).toMatchObject({ streaming: true, input_tokens: 6200, output_tokens: 300 });
    expect(row.price_flags).toContain('producer_output_overcount_corrected');
    expect(pico(row)).toBe(casePico('anthropic-cache-read-and-write'));
  });

  it('failed calls are one row each at $0, error.type from the SDK error class', () => {
    for (const id of ['openai-429', 'anthropic-429']) {
      const row = one(run, id);
      expect(row).toMatchObject({ status: 'error', error_type: 'RateLimitError', priced: true });
      expect(pico(row)).toBe(0n);
    }
  });
});

describe('contrib @opentelemetry/instrumentation-openai → collector', () => {
  let run: PeerRun;
  beforeAll(async () => {
    run = await runPeer('otel-contrib-openai', OPENAI);
  });

  it('chat and stream: priced from input/output (0.22 records no cache read, so all input is uncached)', () => {
    for (const id of ['openai-plain', 'openai-stream']) {
      const row = one(run, id);
      expect(row).toMatchObject({
        dialect: 'otel-contrib-openai',
        provider: 'openai',
        input_tokens: 17903,
        uncached_input_tokens: 17903,
        output_tokens: 250,
        priced: true,
      });
      expect(pico(row)).toBe(47_257_500_000n);
    }
  });

  it('a 429 is one failed call at $0 with error.type RateLimitError', () => {
    const row = one(run, 'openai-429');
    expect(row).toMatchObject({ status: 'error', error_type: 'RateLimitError', priced: true });
    expect(pico(row)).toBe(0n);
  });
});
