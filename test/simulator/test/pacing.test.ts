import { describe, expect, it } from 'vitest';
import { useSimulator } from './support.ts';

const h = useSimulator({ latencyMs: 40, tokenDelayMs: 1 });

describe('latencyMs and tokenDelayMs', () => {
  it('delays a JSON response by the latency plus one delay per output token', async () => {
    const started = performance.now();
    const res = await h.openai().chat.completions.create({
      model: 'gpt-4o-mini',
      messages: [{ role: 'user', content: 'pace me' }],
    });
    const elapsed = performance.now() - started;
    // Timers may fire up to a millisecond early.
    expect(elapsed).toBeGreaterThanOrEqual(40 + (res.usage?.completion_tokens ?? 0) - 2);
  });

  it('paces stream events', async () => {
    const started = performance.now();
    const stream = h.anthropic().messages.stream({
      model: 'claude-sonnet-4-5',
      max_tokens: 1000,
      messages: [{ role: 'user', content: 'pace me' }],
    });
    let firstEventAt = 0;
    stream.on('streamEvent', () => {
      firstEventAt ||= performance.now();
    });
    const final = await stream.finalMessage();
    expect(firstEventAt - started).toBeGreaterThanOrEqual(38);
    expect(performance.now() - firstEventAt).toBeGreaterThanOrEqual(final.usage.output_tokens - 2);
  });
});
