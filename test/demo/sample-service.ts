/**
 * The demo's sample service: an ordinary Node app using the real `openai` and `@anthropic-ai/sdk`
 * clients, instrumented only by `node --import @costline/instrument/register`. It performs the
 * actions of three surfaces against the provider simulator (base URLs from the environment, as a
 * real service reads them) and exits.
 *
 * Workload, deterministic (seeded):
 * - support-answer — Claude Sonnet 4.5 with a cached knowledge-base system prompt (1-hour cache
 *   write once, reads after; the conversation prefix as 5-minute writes), some streamed, repeat
 *   questions answered from the app's own cache, one question over the whole archive (> 200K input
 *   tokens: the long-context tier).
 * - ticket-triage — gpt-4o-mini; some first attempts get 429 and the SDK retries; some tickets fail
 *   (provider keeps failing, or the answer does not parse).
 * - doc-summary — gpt-4.1 streamed with usage; documents too short to summarise exit early by rule.
 *
 * @module
 */

import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { action, shutdown } from '@costline/instrument';
import { createRandom } from './random.ts';
import { archiveText, customerProfile, documentText, knowledgeBase, ticketText } from './corpus.ts';

const openai = new OpenAI({
  baseURL: process.env['OPENAI_BASE_URL'],
  apiKey: process.env['OPENAI_API_KEY'] ?? 'demo',
});
const anthropic = new Anthropic({
  baseURL: process.env['ANTHROPIC_BASE_URL'],
  apiKey: process.env['ANTHROPIC_API_KEY'] ?? 'demo',
});
const random = createRandom(20261203);
const customers = ['acme', 'globex', 'initech', 'umbrella', 'hooli'];
const KB = knowledgeBase();

class UnparseableAnswerError extends Error {}

// ---------------------------------------------------------------- support-answer
const answerCache = new Map<string, string>();

async function supportAnswer(question: string, stream: boolean): Promise<void> {
  const customer = random.pick(customers);
  await action(
    'support-answer',
    async (act) => {
      const cached = answerCache.get(question);
      if (cached !== undefined) {
        act.cacheHit({ avoidedModel: 'claude-sonnet-4-5', avoidedProvider: 'anthropic' });
        return;
      }
      const params = {
        model: 'claude-sonnet-4-5',
        max_tokens: 400,
        // The knowledge base is cached for an hour; each customer's profile for five minutes.
        system: [
          {
            type: 'text' as const,
            text: KB,
            cache_control: { type: 'ephemeral' as const, ttl: '1h' as const },
          },
          {
            type: 'text' as const,
            text: customerProfile(customer),
            cache_control: { type: 'ephemeral' as const },
          },
        ],
        messages: [{ role: 'user' as const, content: question }],
      };
      let text: string;
      if (stream) {
        const s = anthropic.messages.stream(params);
        const final = await s.finalMessage();
        text = final.content.map((b) => (b.type === 'text' ? b.text : '')).join('');
      } else {
        const msg = await anthropic.messages.create(params);
        text = msg.content.map((b) => (b.type === 'text' ? b.text : '')).join('');
      }
      answerCache.set(question, text);
      act.success();
    },
    { customer },
  );
}

async function archiveQuestion(): Promise<void> {
  await action(
    'support-answer',
    async (act) => {
      await anthropic.messages.create({
        model: 'claude-sonnet-4-5',
        max_tokens: 800,
        messages: [{ role: 'user', content: `${archiveText()}\n\nWhich tickets mention a refund twice?` }],
      });
      act.success();
    },
    { customer: 'globex' },
  );
}

// ---------------------------------------------------------------- ticket-triage
async function triage(i: number): Promise<void> {
  const roll = random.next();
  // ~12% of first attempts are rate-limited (the SDK retries after retry-after-ms); ~4% of tickets
  // hit a provider that keeps failing (the SDK gives up); ~6% get an answer that does not parse.
  const fault = roll < 0.12 ? '429' : roll < 0.16 ? '500!' : undefined;
  const unparseable = roll >= 0.16 && roll < 0.22;
  await action(
    'ticket-triage',
    async (act) => {
      const res = await openai.chat.completions.create(
        {
          model: 'gpt-4o-mini',
          messages: [
            { role: 'system', content: 'Classify the ticket: billing, bug, how-to, other. Answer JSON.' },
            { role: 'user', content: ticketText(i) },
          ],
          max_tokens: 30,
        },
        fault ? { headers: { 'x-sim-fault': fault }, maxRetries: 2 } : { maxRetries: 2 },
      );
      if (unparseable || res.choices.length === 0) throw new UnparseableAnswerError();
      act.success();
    },
    { customer: random.pick(customers) },
  ).catch(() => undefined); // the app logs and moves on; the action recorded the failure
}

// ---------------------------------------------------------------- doc-summary
async function summarise(i: number): Promise<void> {
  const doc = documentText(i, random.next() < 0.1 ? 40 : 2_000 + Math.floor(random.next() * 6_000));
  await action('doc-summary', async (act) => {
    if (doc.length < 200) {
      act.earlyExit('too-short-to-summarise');
      return;
    }
    const stream = await openai.chat.completions.create({
      model: 'gpt-4.1',
      stream: true,
      stream_options: { include_usage: true },
      messages: [
        { role: 'system', content: 'Summarise the document in three bullet points.' },
        { role: 'user', content: doc },
      ],
    });
    let chars = 0;
    for await (const chunk of stream) chars += chunk.choices[0]?.delta.content?.length ?? 0;
    if (chars === 0) act.fail('empty-summary');
    else act.success();
  });
}

// ---------------------------------------------------------------- run
async function runPool(tasks: (() => Promise<void>)[], concurrency: number): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < tasks.length) await tasks[next++]?.();
    }),
  );
}

const questions = Array.from(
  { length: 70 },
  (_, i) => `How do I ${['reset', 'export', 'share', 'delete', 'rename'][i % 5]} item ${i % 45}?`,
);
const tasks: (() => Promise<void>)[] = [];
// The first question writes the knowledge-base cache before the others read it.
await supportAnswer(questions[0] ?? '', false);
for (const [i, q] of questions.slice(1).entries()) tasks.push(() => supportAnswer(q, i % 3 === 0));
for (let i = 0; i < 90; i++) tasks.push(() => triage(i));
for (let i = 0; i < 60; i++) tasks.push(() => summarise(i));
tasks.push(() => archiveQuestion());
await runPool(random.shuffle(tasks), 6);
await shutdown();
process.stdout.write(`sample service: ${tasks.length + 1} actions done\n`);
