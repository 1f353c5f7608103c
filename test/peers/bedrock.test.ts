/**
 * The contrib `@opentelemetry/instrumentation-aws-sdk` 0.79 on the real Bedrock runtime client
 * (Converse), against a loopback Converse endpoint (see app/producers/bedrock.ts).
 */

import { beforeAll, describe, expect, it } from 'vitest';
import { one, pico, runPeer } from './support/peer-run.ts';
import type { PeerRun } from './support/peer-run.ts';

const MODEL = 'anthropic.claude-3-5-sonnet-20241022-v2:0';
/** Bedrock's Converse usage: `inputTokens` excludes the cache reads and writes. */
const USAGE = {
  inputTokens: 200,
  outputTokens: 300,
  totalTokens: 6500,
  cacheReadInputTokens: 5000,
  cacheWriteInputTokens: 1000,
};

let run: PeerRun;
beforeAll(async () => {
  run = await runPeer('bedrock', [
    { id: 'converse', provider: 'anthropic', model: MODEL, usage: USAGE },
    { id: 'converse-429', provider: 'anthropic', model: MODEL, fault: '429' },
  ]);
});

describe('contrib instrumentation-aws-sdk (Bedrock Converse) → collector', () => {
  it('prices the tokens the instrumentation records (0.79 records no cache counts: only the uncached 200)', () => {
    const row = one(run, 'converse');
    expect(row).toMatchObject({
      dialect: 'otel-contrib-aws-sdk',
      provider: 'aws.bedrock',
      request_model: MODEL,
      input_tokens: 200,
      uncached_input_tokens: 200,
      cache_read_tokens: 0,
      output_tokens: 300,
      priced: true,
    });
    // 200 × $3 + 300 × $15 per Mtok (claude-3-5-sonnet on Bedrock): the 5000 read / 1000 written
    // cache tokens never reach the span.
    expect(pico(row)).toBe(5_100_000_000n);
  });

  it('a throttled call is one failed call at $0', () => {
    const row = one(run, 'converse-429');
    expect(row).toMatchObject({ status: 'error', error_type: '429', priced: true });
    expect(pico(row)).toBe(0n);
  });
});
