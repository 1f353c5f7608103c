/**
 * OpenLLMetry / Traceloop 0.27 (`@traceloop/instrumentation-openai`, `-anthropic`) over openai 6 and
 * the Anthropic SDK 0.137, whose own tracing is on: every Anthropic call arrives as Traceloop's span
 * with the SDK's `anthropic.messages.create` span under it. Each call must be stored once, priced
 * from the SDK's span (inclusive input, cache writes by TTL), never from both.
 */

import { beforeAll, describe, expect, it } from 'vitest';
import { casePico, caseScenario, one, pico, runPeer } from './support/peer-run.ts';
import type { PeerRun } from './support/peer-run.ts';

let run: PeerRun;
beforeAll(async () => {
  run = await runPeer('traceloop', [
    caseScenario('openai-plain', 'openai-cached-inside-prompt'),
    caseScenario('openai-stream', 'openai-cached-inside-prompt', { stream: true }),
    caseScenario('openai-429', 'openai-cached-second-call', { fault: '429' }),
    caseScenario('anthropic-1h', 'anthropic-one-hour-cache-write'),
    caseScenario('anthropic-stream', 'anthropic-cache-read-and-write', { stream: true }),
    caseScenario('anthropic-429', 'anthropic-cache-read-and-write', { fault: '429' }),
  ]);
});

describe('Traceloop 0.27 → collector', () => {
  it('OpenAI chat: priced from the tokens Traceloop reports (it drops cached_tokens, so all input is uncached)', () => {
    const row = one(run, 'openai-plain');
    expect(row).toMatchObject({
      dialect: 'traceloop',
      provider: 'openai',
      request_model: 'gpt-4o-2024-08-06',
      input_tokens: 17903,
      uncached_input_tokens: 17903,
      cache_read_tokens: 0,
      output_tokens: 250,
      status: 'ok',
      priced: true,
      usage_missing: false,
    });
    // 17903 × $2.50 + 250 × $10 per Mtok: Traceloop 0.27 records no cache-read attribute for OpenAI.
    expect(pico(row)).toBe(47_257_500_000n);
  });

  it('OpenAI chat stream: Traceloop records no usage, so the call is kept as usage-missing, unpriced', () => {
    const row = one(run, 'openai-stream');
    expect(row).toMatchObject({ dialect: 'traceloop', status: 'ok', usage_missing: true, priced: false });
    expect(pico(row)).toBe(0n);
  });

  it('OpenAI 429: Traceloop exports no span for a rejected call, so nothing is stored', () => {
    expect(run.results.get('openai-429')?.error).toBe('RateLimitError');
    expect(run.calls.get('openai-429')).toEqual([]);
  });

  it('Anthropic: the wrapper and the SDK span are one call, priced from the SDK span (1-hour write)', () => {
    const row = one(run, 'anthropic-1h');
    expect(row).toMatchObject({
      dialect: 'anthropic-sdk',
      provider: 'anthropic',
      input_tokens: 37187,
      uncached_input_tokens: 12,
      cache_write_tokens: 37175,
      cache_write_1h_tokens: 37175,
      output_tokens: 800,
      priced: true,
    });
    expect(pico(row)).toBe(casePico('anthropic-one-hour-cache-write'));
  });

  it('Anthropic stream: Traceloop ends its span before the SDK span, and the call is still stored once', () => {
    const row = one(run, 'anthropic-stream');
    expect(row).toMatchObject({
      dialect: 'anthropic-sdk',
      streaming: true,
      input_tokens: 6200,
      uncached_input_tokens: 200,
      cache_read_tokens: 5000,
      cache_write_tokens: 1000,
      output_tokens: 300,
    });
    expect(pico(row)).toBe(casePico('anthropic-cache-read-and-write'));
  });

  it('Anthropic 429: one failed call at $0 (rate-limited-call-costs-nothing), not two', () => {
    const row = one(run, 'anthropic-429');
    expect(row).toMatchObject({ status: 'error', error_type: 'rate_limit_error', priced: true });
    expect(pico(row)).toBe(0n);
  });

  it('dropped exactly the three Traceloop wrappers of the Anthropic calls', () => {
    expect(run.leafStats).toEqual({ held: 0, droppedWrappers: 3, lateChildren: 0 });
  });
});
