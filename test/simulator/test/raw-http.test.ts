import { describe, expect, it } from 'vitest';
import { useSimulator } from './support.ts';

const h = useSimulator();

async function post(path: string, body: unknown, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(`${h.sim.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
}

const chat = { model: 'gpt-4o', messages: [{ role: 'user', content: 'hi' }] };
const message = { model: 'claude-sonnet-4-5', max_tokens: 50, messages: [{ role: 'user', content: 'hi' }] };

describe('wire format', () => {
  it('sends the OpenAI 500 body and retry headers', async () => {
    const res = await post('/v1/chat/completions', chat, { 'x-sim-fault': '500' });
    expect(res.status).toBe(500);
    expect(res.headers.get('x-request-id')).toMatch(/^req_[0-9a-f]{32}$/);
    expect(res.headers.get('retry-after-ms')).toBe('10');
    expect(res.headers.get('retry-after')).toBe('1');
    expect(await res.json()).toEqual({
      error: {
        message: 'The server had an error while processing your request. Sorry about that!',
        type: 'server_error',
        param: null,
        code: null,
      },
    });
  });

  it('sends the Anthropic 500 body with request-id', async () => {
    const res = await post('/v1/messages', message, { 'x-sim-fault': '500' });
    expect(res.status).toBe(500);
    const requestId = res.headers.get('request-id');
    expect(requestId).toMatch(/^req_011C/);
    expect(res.headers.get('x-should-retry')).toBe('true');
    expect(await res.json()).toEqual({
      type: 'error',
      error: { type: 'api_error', message: 'Internal server error' },
      request_id: requestId,
    });
  });

  it('answers unknown paths with a 404 in the caller’s provider format', async () => {
    const openai = await post('/v1/completions', chat);
    expect(openai.status).toBe(404);
    expect(await openai.json()).toMatchObject({ error: { message: 'Invalid URL (POST /v1/completions)' } });
    const anthropic = await post('/v1/complete', message, { 'anthropic-version': '2023-06-01' });
    expect(anthropic.status).toBe(404);
    expect(await anthropic.json()).toMatchObject({ type: 'error', error: { type: 'not_found_error' } });
    expect(h.sim.stats().byRoute.not_found).toEqual({ total: 2, byStatus: { '404': 2 } });
  });

  it('sends provider headers and content types', async () => {
    const openai = await post('/v1/chat/completions', chat);
    expect(openai.headers.get('content-type')).toBe('application/json');
    expect(Number(openai.headers.get('openai-processing-ms'))).toBeGreaterThanOrEqual(0);
    const anthropic = await post('/v1/messages', { ...message, stream: true });
    expect(anthropic.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
    expect(anthropic.headers.get('anthropic-ratelimit-requests-limit')).toBe('4000');
    const text = await anthropic.text();
    expect(text).toMatch(/^event: message_start\ndata: \{"type":"message_start"/);
    expect(text).toContain('event: ping\ndata: {"type":"ping"}\n\n');
    expect(text.trimEnd().endsWith('event: message_stop\ndata: {"type":"message_stop"}')).toBe(true);
  });

  it('ends an OpenAI stream with data: [DONE]', async () => {
    const res = await post('/v1/chat/completions', { ...chat, stream: true });
    const text = await res.text();
    expect(text.endsWith('data: [DONE]\n\n')).toBe(true);
  });

  it('rejects an unknown x-sim-fault value and invalid JSON with a 400', async () => {
    expect((await post('/v1/chat/completions', chat, { 'x-sim-fault': '418' })).status).toBe(400);
    const res = await fetch(`${h.sim.url}/v1/messages`, { method: 'POST', body: '{oops' });
    expect(res.status).toBe(400);
  });
});
