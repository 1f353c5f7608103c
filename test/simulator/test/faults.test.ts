import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { describe, expect, it } from 'vitest';
import { useSimulator } from './support.ts';

const h = useSimulator();

const chat = { model: 'gpt-4o-mini', messages: [{ role: 'user' as const, content: 'hello' }] };
const message = {
  model: 'claude-haiku-4-5',
  max_tokens: 100,
  messages: [{ role: 'user' as const, content: 'hi' }],
};
const fault = (value: string) => ({ headers: { 'x-sim-fault': value } });

describe('faults', () => {
  it('x-sim-fault: 429 fails the first attempt only, so the SDK retry succeeds', async () => {
    const res = await h.openai().chat.completions.create(chat, fault('429'));
    expect(res.usage?.prompt_tokens).toBe(2);
    expect(h.sim.stats().requests).toMatchObject([
      { status: 429, retryCount: 0, fault: 'header:429' },
      { status: 200, retryCount: 1, usage: res.usage },
    ]);
    expect(h.sim.stats().requests[0]?.usage).toBeUndefined();
  });

  it('x-sim-fault: 429! fails every attempt: RateLimitError after maxRetries', async () => {
    await expect(
      h.openai({ maxRetries: 2 }).chat.completions.create(chat, fault('429!')),
    ).rejects.toBeInstanceOf(OpenAI.RateLimitError);
    expect(h.sim.stats().requests.map((r) => [r.status, r.retryCount])).toEqual([
      [429, 0],
      [429, 1],
      [429, 2],
    ]);
  });

  it('x-sim-fault-attempts fails the first N attempts', async () => {
    const msg = await h
      .anthropic({ maxRetries: 3 })
      .messages.create(message, { headers: { 'x-sim-fault': '529', 'x-sim-fault-attempts': '2' } });
    expect(msg.type).toBe('message');
    expect(h.sim.stats().byRoute['anthropic.messages']).toEqual({
      total: 3,
      byStatus: { '529': 2, '200': 1 },
    });
  });

  it('Anthropic errors become the SDK error classes', async () => {
    const client = h.anthropic({ maxRetries: 0 });
    await expect(client.messages.create(message, fault('529'))).rejects.toBeInstanceOf(
      Anthropic.OverloadedError,
    );
    await expect(client.messages.create(message, fault('429'))).rejects.toBeInstanceOf(
      Anthropic.RateLimitError,
    );
    await expect(client.messages.create(message, fault('401'))).rejects.toBeInstanceOf(
      Anthropic.AuthenticationError,
    );
  });

  it('failNext and rateLimitEvery apply across requests; reset clears them', async () => {
    const client = h.openai({ maxRetries: 0 });
    h.sim.setFaults({ failNext: { status: 503, count: 1 }, rateLimitEvery: 3 });
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) {
      try {
        await client.chat.completions.create(chat);
        statuses.push(200);
      } catch (error) {
        statuses.push(error instanceof OpenAI.APIError ? Number(error.status) : -1);
      }
    }
    expect(statuses).toEqual([503, 200, 429, 200]);
    expect(h.sim.stats().requests.map((r) => r.fault)).toEqual([
      'failNext:503',
      undefined,
      'rateLimitEvery:429',
      undefined,
    ]);
    h.sim.reset();
    await client.chat.completions.create(chat);
    expect(h.sim.stats().total).toBe(1);
  });

  it('rejects bad fault settings naming the key and the value', () => {
    expect(() => h.sim.setFaults({ rateLimitEvery: 0 })).toThrow(
      'rateLimitEvery must be an integer >= 1, got 0',
    );
  });

  it('x-sim-fault: disconnect resets a JSON request once; the SDK retries it as a connection error', async () => {
    const res = await h.openai().chat.completions.create(chat, fault('disconnect'));
    expect(res.object).toBe('chat.completion');
    expect(h.sim.stats().requests.map((r) => [r.fault, r.retryCount])).toEqual([
      ['header:disconnect', 0],
      [undefined, 1],
    ]);
  });

  it('x-sim-fault: disconnect! drops a stream half-way', async () => {
    const stream = await h
      .openai({ maxRetries: 0 })
      .chat.completions.create({ ...chat, stream: true }, fault('disconnect!'));
    const read = async (): Promise<number> => {
      let n = 0;
      for await (const _chunk of stream) n++;
      return n;
    };
    await expect(read()).rejects.toThrow();
  });
});
