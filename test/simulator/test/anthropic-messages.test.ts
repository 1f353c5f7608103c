import type Anthropic from '@anthropic-ai/sdk';
import { describe, expect, it } from 'vitest';
import { textOfTokens, useSimulator } from './support.ts';

const h = useSimulator();

/** 1250 tokens cached for 1 h, then 500 more for 5 min: both above Sonnet's 1024-token minimum. */
const cachedSystem: Anthropic.TextBlockParam[] = [
  { type: 'text', text: textOfTokens(1250), cache_control: { type: 'ephemeral', ttl: '1h' } },
  { type: 'text', text: textOfTokens(500, 'wxyz'), cache_control: { type: 'ephemeral', ttl: '5m' } },
];

describe('Anthropic messages through the real SDK', () => {
  it('returns a message whose input_tokens exclude nothing when no cache_control is set', async () => {
    const msg = await h.anthropic().messages.create({
      model: 'claude-sonnet-4-5',
      max_tokens: 1024,
      system: textOfTokens(2000),
      messages: [{ role: 'user', content: textOfTokens(5) }],
    });
    expect(msg.model).toBe('claude-sonnet-4-5-20250929');
    expect(msg.stop_reason).toBe('end_turn');
    expect(msg.usage).toEqual({
      input_tokens: 2005,
      cache_creation_input_tokens: 0,
      cache_read_input_tokens: 0,
      cache_creation: { ephemeral_5m_input_tokens: 0, ephemeral_1h_input_tokens: 0 },
      output_tokens: msg.usage.output_tokens,
      service_tier: 'standard',
    });
    const text = msg.content[0]?.type === 'text' ? msg.content[0].text : '';
    expect(text.split(' ')).toHaveLength(msg.usage.output_tokens);
  });

  it('writes 1h and 5m cache_control breakpoints once, then reads the whole prefix', async () => {
    const params = {
      model: 'claude-sonnet-4-5',
      max_tokens: 512,
      system: cachedSystem,
      messages: [{ role: 'user' as const, content: 'hi' }],
    };
    const first = await h.anthropic().messages.create(params);
    expect(first.usage).toMatchObject({
      input_tokens: 1,
      cache_creation_input_tokens: 1750,
      cache_read_input_tokens: 0,
      cache_creation: { ephemeral_1h_input_tokens: 1250, ephemeral_5m_input_tokens: 500 },
    });
    const second = await h.anthropic().messages.create({
      ...params,
      messages: [{ role: 'user', content: 'another question' }],
    });
    expect(second.usage).toMatchObject({
      input_tokens: 4,
      cache_creation_input_tokens: 0,
      cache_read_input_tokens: 1750,
      cache_creation: { ephemeral_1h_input_tokens: 0, ephemeral_5m_input_tokens: 0 },
    });
  });

  it('does not cache a prefix shorter than the model minimum', async () => {
    const params = {
      model: 'claude-sonnet-4-5',
      max_tokens: 512,
      system: [
        { type: 'text' as const, text: textOfTokens(900), cache_control: { type: 'ephemeral' as const } },
      ],
      messages: [{ role: 'user' as const, content: 'hi' }],
    };
    await h.anthropic().messages.create(params);
    const again = await h.anthropic().messages.create(params);
    expect(again.usage).toMatchObject({ input_tokens: 901, cache_read_input_tokens: 0 });
  });

  it('streams message_start, deltas and a cumulative message_delta; finalMessage usage is what was billed', async () => {
    const stream = h.anthropic().messages.stream({
      model: 'claude-sonnet-4-5',
      max_tokens: 512,
      system: cachedSystem,
      messages: [{ role: 'user', content: 'stream it' }],
    });
    const types: string[] = [];
    let startUsage: unknown;
    let deltaUsage: Anthropic.MessageDeltaUsage | undefined;
    stream.on('streamEvent', (event) => {
      types.push(event.type);
      // Cloned: the SDK keeps mutating this object into its snapshot.
      if (event.type === 'message_start') startUsage = structuredClone(event.message.usage);
      if (event.type === 'message_delta') deltaUsage = event.usage;
    });
    const final = await stream.finalMessage();

    // The SDK drops `ping` events; the raw stream is checked in sim-headers.test.ts.
    expect(types.slice(0, 3)).toEqual(['message_start', 'content_block_start', 'content_block_delta']);
    expect(types.slice(-3)).toEqual(['content_block_stop', 'message_delta', 'message_stop']);
    expect(startUsage).toMatchObject({
      output_tokens: 1,
      cache_creation_input_tokens: 1750,
      input_tokens: 3,
    });
    expect(deltaUsage).toEqual({
      input_tokens: 3,
      cache_creation_input_tokens: 1750,
      cache_read_input_tokens: 0,
      output_tokens: final.usage.output_tokens,
    });
    expect(final.usage.output_tokens).toBeGreaterThan(1);
    expect(final.usage).toEqual(h.sim.stats().requests[0]?.usage);
    expect(final.usage.cache_creation).toEqual({
      ephemeral_1h_input_tokens: 1250,
      ephemeral_5m_input_tokens: 500,
    });
  });

  it('bills extended thinking inside output_tokens and streams it as thinking deltas', async () => {
    const params = {
      model: 'claude-sonnet-4-5',
      max_tokens: 8000,
      thinking: { type: 'enabled' as const, budget_tokens: 2000 },
      messages: [{ role: 'user' as const, content: 'think hard' }],
    };
    const msg = await h.anthropic().messages.create(params);
    const [thinking, text] = msg.content;
    expect(thinking?.type).toBe('thinking');
    expect(text?.type).toBe('text');
    const words = (block: typeof thinking): number =>
      block?.type === 'thinking'
        ? block.thinking.split(' ').length
        : block?.type === 'text'
          ? block.text.split(' ').length
          : 0;
    expect(msg.usage.output_tokens).toBe(words(thinking) + words(text));

    const streamed = await h.anthropic().messages.stream(params).finalMessage();
    expect(streamed.usage.output_tokens).toBe(msg.usage.output_tokens);
    expect(streamed.content.map((b) => b.type)).toEqual(['thinking', 'text']);
  });

  it('stops at max_tokens', async () => {
    const msg = await h.anthropic().messages.create({
      model: 'claude-haiku-4-5',
      max_tokens: 5,
      messages: [{ role: 'user', content: 'long answer' }],
    });
    expect(msg.stop_reason).toBe('max_tokens');
    expect(msg.usage.output_tokens).toBe(5);
  });

  it('counts tokens of the whole prompt', async () => {
    const res = await h.anthropic().messages.countTokens({
      model: 'claude-sonnet-4-5',
      system: cachedSystem,
      messages: [{ role: 'user', content: 'hi' }],
    });
    expect(res).toEqual({ input_tokens: 1751 });
    expect(h.sim.stats().byRoute['anthropic.count_tokens']).toEqual({ total: 1, byStatus: { '200': 1 } });
  });

  it('answers a request without max_tokens with a 400 invalid_request_error', async () => {
    await expect(
      h.anthropic().messages.create({
        model: 'claude-sonnet-4-5',
        messages: [],
      } as unknown as Anthropic.MessageCreateParamsNonStreaming),
    ).rejects.toMatchObject({
      status: 400,
      error: { type: 'error', error: { type: 'invalid_request_error' } },
    });
  });
});
