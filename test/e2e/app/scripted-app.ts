/**
 * A service for the end-to-end tests: real `openai`, `@anthropic-ai/sdk` and `@google/genai` clients, instrumented only
 * by `--import @costline/instrument/register`, performing the actions of a plan (JSON, argv[2])
 * against the provider simulator. Each call forces the provider usage through the simulator's
 * `x-sim-usage` header, so the right cost of every stored row is known in advance.
 *
 * @module
 */

import { readFileSync } from 'node:fs';
import Anthropic from '@anthropic-ai/sdk';
import { GoogleGenAI } from '@google/genai';
import OpenAI from 'openai';
import { action, shutdown } from '@costline/instrument';
import type { Plan, PlannedCall } from './plan.ts';

const plan = JSON.parse(readFileSync(process.argv[2] ?? '', 'utf8')) as Plan;
const openai = new OpenAI({ baseURL: process.env['OPENAI_BASE_URL'], apiKey: 'test', maxRetries: 2 });
const anthropic = new Anthropic({
  baseURL: process.env['ANTHROPIC_BASE_URL'],
  apiKey: 'test',
  maxRetries: 2,
});

const gemini = new GoogleGenAI({ apiKey: 'test', httpOptions: { baseUrl: process.env['GEMINI_BASE_URL'] } });

class AppError extends Error {}

async function call(c: PlannedCall): Promise<void> {
  const headers: Record<string, string> = { 'x-sim-usage': JSON.stringify(c.usage) };
  if (c.fault) headers['x-sim-fault'] = c.fault;
  const content = 'Summarise our refund policy.';
  if (c.provider === 'google') {
    const request = { model: c.model, contents: content, config: { httpOptions: { headers } } };
    if (c.stream) for await (const chunk of await gemini.models.generateContentStream(request)) void chunk;
    else await gemini.models.generateContent(request);
    return;
  }
  if (c.provider === 'anthropic') {
    const params = { model: c.model, max_tokens: 200, messages: [{ role: 'user' as const, content }] };
    if (c.stream) await anthropic.messages.stream(params, { headers }).finalMessage();
    else await anthropic.messages.create(params, { headers });
    return;
  }
  const messages = [{ role: 'user' as const, content }];
  if (c.stream) {
    const stream = await openai.chat.completions.create(
      { model: c.model, messages, stream: true, stream_options: { include_usage: true } },
      { headers },
    );
    for await (const chunk of stream) void chunk;
  } else {
    await openai.chat.completions.create({ model: c.model, messages }, { headers });
  }
}

for (const a of plan.actions) {
  await action(
    a.surface,
    async (act) => {
      if (a.cacheHit) {
        act.cacheHit({ avoidedModel: a.cacheHit.model, avoidedProvider: a.cacheHit.provider });
        return;
      }
      for (const c of a.calls) await call(c);
      if (a.outcome === 'success') act.success();
      else if (a.outcome === 'fail') act.fail('unhelpful');
      else if (a.outcome === 'throw') throw new AppError();
    },
    { customer: a.customer },
  ).catch(() => undefined); // failures are recorded on the action; the app goes on
}
await shutdown();
