import type Anthropic from '@anthropic-ai/sdk';
import { describe, expect, it } from 'vitest';
import { textOfTokens, useSimulator } from './support.ts';

let clock = 0;
const h = useSimulator({ now: () => clock });

const params: Anthropic.MessageCreateParamsNonStreaming = {
  model: 'claude-sonnet-4-5',
  max_tokens: 256,
  system: [
    { type: 'text', text: textOfTokens(1250), cache_control: { type: 'ephemeral', ttl: '1h' } },
    { type: 'text', text: textOfTokens(500, 'wxyz'), cache_control: { type: 'ephemeral' } },
  ],
  messages: [{ role: 'user', content: 'hi' }],
};

describe('Anthropic cache TTLs', () => {
  it('expires a 5m entry before a 1h one, and a read refreshes the TTL', async () => {
    clock = 0;
    const client = h.anthropic();
    await client.messages.create(params);

    clock = 6 * 60_000;
    const afterSix = await client.messages.create(params);
    expect(afterSix.usage).toMatchObject({
      input_tokens: 1,
      cache_read_input_tokens: 1250,
      cache_creation: { ephemeral_1h_input_tokens: 0, ephemeral_5m_input_tokens: 500 },
    });

    // Refreshed at minute 6, the 1h entry lives until minute 66.
    clock = 65 * 60_000;
    const afterSixtyFive = await client.messages.create(params);
    expect(afterSixtyFive.usage).toMatchObject({
      cache_read_input_tokens: 1250,
      cache_creation_input_tokens: 500,
    });

    clock = 3 * 60 * 60_000;
    const afterThreeHours = await client.messages.create(params);
    expect(afterThreeHours.usage).toMatchObject({
      cache_read_input_tokens: 0,
      cache_creation_input_tokens: 1750,
    });
  });

  it('reads nothing without a breakpoint, even for a cached prefix', async () => {
    const client = h.anthropic();
    await client.messages.create(params);
    const plain = await client.messages.create({
      ...params,
      system: [{ type: 'text', text: textOfTokens(1250) }],
    });
    expect(plain.usage).toMatchObject({ input_tokens: 1251, cache_read_input_tokens: 0 });
  });
});
