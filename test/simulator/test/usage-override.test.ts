import { describe, expect, it } from 'vitest';
import { useSimulator } from './support.ts';

const h = useSimulator();

const openaiUsage = {
  prompt_tokens: 250_000,
  completion_tokens: 1_200,
  total_tokens: 251_200,
  prompt_tokens_details: { cached_tokens: 100_000, audio_tokens: 0 },
  completion_tokens_details: {
    reasoning_tokens: 800,
    audio_tokens: 0,
    accepted_prediction_tokens: 0,
    rejected_prediction_tokens: 0,
  },
};

const anthropicUsage = {
  input_tokens: 210_000,
  cache_creation_input_tokens: 3_000,
  cache_read_input_tokens: 40_000,
  cache_creation: { ephemeral_5m_input_tokens: 1_000, ephemeral_1h_input_tokens: 2_000 },
  output_tokens: 950,
  service_tier: 'standard',
};

const withUsage = (usage: object) => ({ headers: { 'x-sim-usage': JSON.stringify(usage) } });

describe('x-sim-usage', () => {
  it('replaces the OpenAI usage verbatim, JSON and streamed', async () => {
    const messages = [{ role: 'user' as const, content: 'tiny prompt' }];
    const json = await h
      .openai()
      .chat.completions.create({ model: 'gpt-4.1', messages }, withUsage(openaiUsage));
    expect(json.usage).toEqual(openaiUsage);

    const stream = await h
      .openai()
      .chat.completions.create(
        { model: 'gpt-4.1', messages, stream: true, stream_options: { include_usage: true } },
        withUsage(openaiUsage),
      );
    let streamed: unknown;
    for await (const chunk of stream) if (chunk.usage) streamed = chunk.usage;
    expect(streamed).toEqual(openaiUsage);
    expect(h.sim.stats().requests.map((r) => r.usage)).toEqual([openaiUsage, openaiUsage]);
  });

  it('replaces the Anthropic usage verbatim, JSON and streamed', async () => {
    const params = {
      model: 'claude-sonnet-4-5',
      max_tokens: 2000,
      messages: [{ role: 'user' as const, content: 'tiny prompt' }],
    };
    const json = await h.anthropic().messages.create(params, withUsage(anthropicUsage));
    expect(json.usage).toEqual(anthropicUsage);

    const final = await h.anthropic().messages.stream(params, withUsage(anthropicUsage)).finalMessage();
    expect(final.usage).toEqual(anthropicUsage);
    expect(h.sim.stats().requests.map((r) => r.usage)).toEqual([anthropicUsage, anthropicUsage]);
  });

  it('rejects a header that is not a JSON object with a 400', async () => {
    await expect(
      h
        .openai()
        .chat.completions.create(
          { model: 'gpt-4o', messages: [{ role: 'user', content: 'x' }] },
          { headers: { 'x-sim-usage': 'not json' } },
        ),
    ).rejects.toMatchObject({ status: 400 });
  });
});
