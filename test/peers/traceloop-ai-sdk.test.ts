/**
 * The Traceloop SDK's span processor rewriting AI SDK v5 spans: the parent `ai.generateText` and its
 * `doGenerate` child are both renamed `chat {model}` and both carry `gen_ai.usage.*` (a naive sum
 * doubles every call). `ai.operationId` survives the rewrite and tells them apart: one row per call.
 * The rewrite drops `ai.response.providerMetadata`, so the cache counts that only lived there are
 * lost by the producer; the test prices what is left, exactly.
 */

import { beforeAll, describe, expect, it } from 'vitest';
import { caseScenario, one, pico, runPeer } from './support/peer-run.ts';
import type { PeerRun } from './support/peer-run.ts';

let run: PeerRun;
beforeAll(async () => {
  run = await runPeer('traceloop-ai-sdk', [
    caseScenario('openai-plain', 'openai-cached-inside-prompt'),
    caseScenario('openai-stream', 'openai-cached-inside-prompt', { stream: true }),
    caseScenario('anthropic-plain', 'anthropic-cache-read-and-write'),
    caseScenario('anthropic-stream', 'anthropic-cache-read-and-write', { stream: true }),
    caseScenario('anthropic-429', 'anthropic-cache-read-and-write', { fault: '429' }),
  ]);
});

describe('Traceloop SDK rewriting AI SDK v5 spans → collector', () => {
  it('OpenAI: the renamed parent is not a second call; the stream keeps its cached count', () => {
    const plain = one(run, 'openai-plain');
    expect(plain).toMatchObject({
      dialect: 'ai-sdk',
      provider: 'openai',
      input_tokens: 17903,
      cache_read_tokens: 0,
    });
    expect(pico(plain)).toBe(47_257_500_000n); // the cached 17817 were only in providerMetadata
    const stream = one(run, 'openai-stream');
    expect(stream).toMatchObject({
      streaming: true,
      input_tokens: 17903,
      uncached_input_tokens: 86,
      cache_read_tokens: 17817,
    });
    expect(pico(stream)).toBe(24_986_250_000n); // openai-cached-inside-prompt, exact
  });

  it('Anthropic: one row per call, raw exclusive input read as exclusive', () => {
    const plain = one(run, 'anthropic-plain');
    expect(plain).toMatchObject({
      dialect: 'ai-sdk',
      provider: 'anthropic',
      input_tokens: 200,
      output_tokens: 300,
    });
    expect(pico(plain)).toBe(5_100_000_000n); // 200 × $3 + 300 × $15 per Mtok
    const stream = one(run, 'anthropic-stream');
    // v5 streams report the cache read (not the write) beside the exclusive input: 200 + 5000.
    expect(stream).toMatchObject({
      streaming: true,
      input_tokens: 5200,
      uncached_input_tokens: 200,
      cache_read_tokens: 5000,
    });
    expect(pico(stream)).toBe(6_600_000_000n); // + 5000 × $0.30 per Mtok
  });

  it('a rate-limited call is one failed call at $0', () => {
    const row = one(run, 'anthropic-429');
    expect(row).toMatchObject({ status: 'error', priced: true });
    expect(pico(row)).toBe(0n);
  });
});
