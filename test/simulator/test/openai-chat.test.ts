import { describe, expect, it } from 'vitest';
import { textOfTokens, useSimulator } from './support.ts';

const h = useSimulator();

describe('OpenAI chat completions through the real SDK', () => {
  it('returns a chat.completion with the full usage shape', async () => {
    const res = await h.openai().chat.completions.create({
      model: 'gpt-4o-mini',
      messages: [{ role: 'user', content: textOfTokens(10) }],
    });
    expect(res.object).toBe('chat.completion');
    expect(res.model).toBe('gpt-4o-mini-2024-07-18');
    expect(res.service_tier).toBe('default');
    expect(res.system_fingerprint).toMatch(/^fp_[0-9a-f]{10}$/);
    const completion = res.usage?.completion_tokens ?? 0;
    expect(res.usage).toEqual({
      prompt_tokens: 10,
      completion_tokens: completion,
      total_tokens: 10 + completion,
      prompt_tokens_details: { cached_tokens: 0, audio_tokens: 0 },
      completion_tokens_details: {
        reasoning_tokens: 0,
        audio_tokens: 0,
        accepted_prediction_tokens: 0,
        rejected_prediction_tokens: 0,
      },
    });
    expect(res.choices[0]?.message.content?.split(' ')).toHaveLength(completion);
    expect(h.sim.stats().requests).toMatchObject([
      {
        route: 'openai.chat.completions',
        status: 200,
        model: 'gpt-4o-mini',
        retryCount: 0,
        usage: res.usage,
      },
    ]);
  });

  it('is deterministic: the same prompt gives the same text and usage', async () => {
    const params = { model: 'gpt-4.1', messages: [{ role: 'user' as const, content: 'same' }] };
    const a = await h.openai().chat.completions.create(params);
    const b = await h.openai().chat.completions.create(params);
    expect(b.choices[0]?.message.content).toBe(a.choices[0]?.message.content);
    expect(b.usage).toEqual(a.usage);
  });

  it('streams chunks and, with include_usage, a final choices-less chunk carrying the usage', async () => {
    const stream = await h.openai().chat.completions.create({
      model: 'gpt-4o',
      messages: [{ role: 'user', content: 'stream please' }],
      stream: true,
      stream_options: { include_usage: true },
    });
    const chunks = [];
    for await (const chunk of stream) chunks.push(chunk);
    const last = chunks.at(-1);
    expect(last?.choices).toEqual([]);
    expect(last?.usage?.prompt_tokens).toBe(4);
    expect(chunks.slice(0, -1).every((c) => c.usage === null)).toBe(true);
    const text = chunks.map((c) => c.choices[0]?.delta.content ?? '').join('');
    expect(text.split(' ')).toHaveLength(last?.usage?.completion_tokens ?? -1);
    expect(h.sim.stats().requests[0]).toMatchObject({ stream: true, usage: last?.usage });
  });

  it("exposes the streamed usage through the SDK's stream helper", async () => {
    const runner = h.openai().chat.completions.stream({
      model: 'gpt-4o',
      messages: [{ role: 'user', content: 'helper' }],
      stream_options: { include_usage: true },
    });
    const final = await runner.finalChatCompletion();
    expect(final.usage).toEqual(h.sim.stats().requests[0]?.usage);
  });

  it('omits usage from every chunk without include_usage, but still records the billed usage', async () => {
    const stream = await h.openai().chat.completions.create({
      model: 'gpt-4o',
      messages: [{ role: 'user', content: 'no usage' }],
      stream: true,
    });
    const chunks = [];
    for await (const chunk of stream) chunks.push(chunk);
    expect(chunks.every((c) => !('usage' in c))).toBe(true);
    expect(chunks.every((c) => c.choices.length === 1)).toBe(true);
    expect(h.sim.stats().requests[0]?.usage).toMatchObject({ prompt_tokens: 2 });
  });

  it('caches a repeated prefix of a >=1024-token prompt in 128-token increments', async () => {
    const system = { role: 'system' as const, content: textOfTokens(1500) };
    const first = await h.openai().chat.completions.create({
      model: 'gpt-4o',
      messages: [system, { role: 'user', content: 'first question' }],
    });
    const second = await h.openai().chat.completions.create({
      model: 'gpt-4o',
      messages: [system, { role: 'user', content: 'second question' }],
    });
    expect(first.usage?.prompt_tokens_details?.cached_tokens).toBe(0);
    const cached = second.usage?.prompt_tokens_details?.cached_tokens ?? 0;
    expect(cached).toBe(1408);
    expect(cached % 128).toBe(0);
    expect(second.usage?.prompt_tokens).toBe(1504);
  });

  it('does not cache prompts under 1024 tokens or across models', async () => {
    const messages = [{ role: 'user' as const, content: textOfTokens(1000) }];
    await h.openai().chat.completions.create({ model: 'gpt-4o', messages });
    const small = await h.openai().chat.completions.create({ model: 'gpt-4o', messages });
    expect(small.usage?.prompt_tokens_details?.cached_tokens).toBe(0);
    const big = [{ role: 'user' as const, content: textOfTokens(2000) }];
    await h.openai().chat.completions.create({ model: 'gpt-4o', messages: big });
    const other = await h.openai().chat.completions.create({ model: 'gpt-4.1', messages: big });
    expect(other.usage?.prompt_tokens_details?.cached_tokens).toBe(0);
  });

  it('bills reasoning tokens inside completion_tokens for o-series and gpt-5 models', async () => {
    for (const model of ['o4-mini', 'gpt-5-mini']) {
      const res = await h
        .openai()
        .chat.completions.create({ model, messages: [{ role: 'user', content: 'think' }] });
      const reasoning = res.usage?.completion_tokens_details?.reasoning_tokens ?? 0;
      expect(reasoning).toBeGreaterThan(0);
      const visible = res.choices[0]?.message.content?.split(' ').length ?? 0;
      expect(res.usage?.completion_tokens).toBe(reasoning + visible);
    }
  });

  it('answers an invalid request with a 400 in OpenAI format', async () => {
    await expect(h.openai().chat.completions.create({ model: 'gpt-4o', messages: [] })).rejects.toMatchObject(
      { status: 400, code: 'empty_array', param: 'messages', type: 'invalid_request_error' },
    );
  });
});
