/**
 * OpenInference (`@arizeai/openinference-instrumentation-openai` 4.2.7, `-anthropic` 0.2.8) on
 * openai 7 and the Anthropic SDK 1.x, with the SDK's own tracing off so OpenInference's own
 * `llm.token_count.*` reading is what gets priced (0.2.x: input includes cache).
 */

import { beforeAll, describe, expect, it } from 'vitest';
import { casePico, caseScenario, one, pico, runPeer } from './support/peer-run.ts';
import type { PeerRun } from './support/peer-run.ts';

let run: PeerRun;
beforeAll(async () => {
  run = await runPeer(
    'openinference',
    [
      caseScenario('openai-plain', 'openai-cached-inside-prompt'),
      caseScenario('openai-stream', 'openai-cached-inside-prompt', { stream: true }),
      caseScenario('openai-429', 'openai-cached-second-call', { fault: '429' }),
      caseScenario('anthropic-plain', 'anthropic-cache-read-and-write'),
      caseScenario('anthropic-stream', 'anthropic-cache-read-and-write', { stream: true }),
      caseScenario('anthropic-429', 'anthropic-cache-read-and-write', { fault: '429' }),
    ],
    { ANTHROPIC_OPEN_TELEMETRY: 'false' },
  );
});

describe('OpenInference → collector', () => {
  it('OpenAI chat: llm.token_count.prompt includes the cache read', () => {
    const row = one(run, 'openai-plain');
    expect(row).toMatchObject({
      dialect: 'openinference',
      provider: 'openai', // from llm.system: llm.provider is absent for a local base URL
      response_model: 'gpt-4o-2024-08-06',
      input_tokens: 17903,
      uncached_input_tokens: 86,
      cache_read_tokens: 17817,
      output_tokens: 250,
      priced: true,
    });
    expect(pico(row)).toBe(casePico('openai-cached-inside-prompt'));
  });

  it('OpenAI chat stream: OpenInference 4.2.7 records no token counts, kept as usage-missing', () => {
    expect(one(run, 'openai-stream')).toMatchObject({ streaming: true, usage_missing: true, priced: false });
  });

  it('OpenAI 429: no span is exported for the rejected call, so nothing is stored', () => {
    expect(run.calls.get('openai-429')).toEqual([]);
  });

  it('Anthropic (0.2.8, inclusive input), plain and streaming', () => {
    for (const [id, streaming] of [
      ['anthropic-plain', false],
      ['anthropic-stream', true],
    ] as const) {
      const row = one(run, id);
      expect(row).toMatchObject({
        dialect: 'openinference',
        provider: 'anthropic',
        streaming,
        input_tokens: 6200,
        uncached_input_tokens: 200,
        cache_read_tokens: 5000,
        cache_write_tokens: 1000,
        output_tokens: 300,
      });
      expect(pico(row)).toBe(casePico('anthropic-cache-read-and-write'));
    }
  });

  it('Anthropic 429: one failed call at $0', () => {
    const row = one(run, 'anthropic-429');
    expect(row).toMatchObject({ status: 'error', priced: true, usage_missing: false });
    expect(pico(row)).toBe(0n);
  });
});

describe('OpenInference over the Anthropic SDK with its own tracing on', () => {
  let mixed: PeerRun;
  beforeAll(async () => {
    mixed = await runPeer('openinference', [
      caseScenario('anthropic-1h', 'anthropic-one-hour-cache-write'),
      caseScenario('anthropic-stream', 'anthropic-cache-read-and-write', { stream: true }),
    ]);
  });

  it('the OpenInference span and the SDK span under it are one call, priced from the SDK span', () => {
    const plain = one(mixed, 'anthropic-1h');
    expect(plain).toMatchObject({ dialect: 'anthropic-sdk', cache_write_1h_tokens: 37175 });
    expect(pico(plain)).toBe(casePico('anthropic-one-hour-cache-write'));
    const stream = one(mixed, 'anthropic-stream');
    expect(stream).toMatchObject({ dialect: 'anthropic-sdk', streaming: true, input_tokens: 6200 });
    expect(pico(stream)).toBe(casePico('anthropic-cache-read-and-write'));
    expect(mixed.leafStats.droppedWrappers).toBe(2);
  });
});
