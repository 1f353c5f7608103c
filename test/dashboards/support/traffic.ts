/**
 * A known traffic set for the dashboard tests: three weeks of actions on three surfaces, from two
 * services and five customers, plus calls outside any action. Every model call is one of a few
 * usage shapes whose exact cost is a hand-priced literal from packages/pricing/test/fixtures/pricing.json, so the
 * expected numbers below are computed from the plan alone — never from the collector or the SQL.
 *
 * @module
 */

import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { usdToPico } from '@costline/collector';

export interface CallShape {
  provider: 'openai' | 'anthropic';
  model: string;
  input: number;
  cacheRead: number;
  cacheWrite: number;
  output: number;
  reasoning: number;
  /** Exact cost in pico-USD; 0 for an unpriced model. */
  costPico: bigint;
  priced: boolean;
}

const here = dirname(fileURLToPath(import.meta.url));
const fixture = JSON.parse(
  readFileSync(join(here, '../../../packages/pricing/test/fixtures/pricing.json'), 'utf8'),
) as {
  cases: { id: string; expect: { cost_usd: number } }[];
};
const caseCost = (id: string): bigint => {
  const c = fixture.cases.find((x) => x.id === id);
  if (!c) throw new Error(`no pricing case ${id}`);
  return usdToPico(String(c.expect.cost_usd));
};

/** Usage in GenAI-convention form: input totals include cache reads and writes. */
export const SHAPES = {
  sonnetCached: {
    provider: 'anthropic',
    model: 'claude-sonnet-4-5-20250929',
    input: 5 + 128_955 + 1_253,
    cacheRead: 128_955,
    cacheWrite: 1_253,
    output: 420,
    reasoning: 0,
    costPico: caseCost('anthropic-cache-counted-once'),
    priced: true,
  },
  sonnetLongContext: {
    provider: 'anthropic',
    model: 'claude-sonnet-4-5-20250929',
    input: 250_000,
    cacheRead: 240_000,
    cacheWrite: 0,
    output: 1_000,
    reasoning: 0,
    costPico: caseCost('long-context-tier-applies-to-cache-reads'),
    priced: true,
  },
  miniPlain: {
    provider: 'openai',
    model: 'gpt-4o-mini-2024-07-18',
    input: 1_000,
    cacheRead: 0,
    cacheWrite: 0,
    output: 500,
    reasoning: 0,
    costPico: caseCost('dated-mini-not-matched-to-bigger-model'),
    priced: true,
  },
  gpt4oCached: {
    provider: 'openai',
    model: 'gpt-4o',
    input: 1_999,
    cacheRead: 1_792,
    cacheWrite: 0,
    output: 120,
    reasoning: 0,
    costPico: caseCost('openai-cached-second-call'),
    priced: true,
  },
  o3Reasoning: {
    provider: 'openai',
    model: 'o3',
    input: 14_746,
    cacheRead: 0,
    cacheWrite: 0,
    output: 1_944,
    reasoning: 1_360,
    costPico: caseCost('openai-reasoning-inside-output'),
    priced: true,
  },
  unpriced: {
    provider: 'openai',
    model: 'acme-finetune-7b',
    input: 300,
    cacheRead: 0,
    cacheWrite: 0,
    output: 40,
    reasoning: 0,
    costPico: 0n,
    priced: false,
  },
} as const satisfies Record<string, CallShape>;
export type ShapeId = keyof typeof SHAPES;

export interface PlannedCall {
  shape: ShapeId;
  /** ms after the action's start. */
  offsetMs: number;
  durationMs: number;
  /** A 429 without usage: stored with status error and cost 0. */
  failed: boolean;
  retryAttempt: number;
}

export interface PlannedAction {
  /** 16 lowercase hex: `costline.action.id`. */
  id: string;
  service: string;
  surface: string;
  customer: string;
  outcome: 'success' | 'failure' | 'unknown';
  reason: string;
  startMs: number;
  durationMs: number;
  calls: PlannedCall[];
  /** Answered from the app cache (`'cache'`) or by a rule (the rule's name); no model call. */
  answered?: { rule?: string };
}

export interface LoneCall {
  service: string;
  startMs: number;
  durationMs: number;
  shape: ShapeId;
}

export interface TrafficSet {
  start: number;
  end: number;
  actions: PlannedAction[];
  lone: LoneCall[];
}

/** Deterministic PRNG (mulberry32): the same plan on every run. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const DAY = 86_400_000;
export const CUSTOMERS = ['acme', 'globex', 'initech', 'umbrella', 'whale'] as const;

/**
 * `days` days ending at `end` (ms). Support answers get more long-context calls in the last week
 * (so cost per successful action rises week over week); the "whale" customer brings most of them.
 */
export function planTraffic(end: number, days = 21, perDay = 12, seed = 7): TrafficSet {
  const rnd = prng(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)] as T;
  const start = end - days * DAY;
  const actions: PlannedAction[] = [];
  const lone: LoneCall[] = [];
  let n = 0;
  for (let d = 0; d < days; d++) {
    const lastWeek = d >= days - 7;
    for (let k = 0; k < perDay; k++) {
      // Keep every span inside the window and away from its edges.
      const startMs = start + d * DAY + 60_000 + Math.floor(rnd() * (DAY - 3_600_000));
      const id = (0x1000_0000_0000_0000n + BigInt(++n)).toString(16);
      const r = rnd();
      const customer = pick(CUSTOMERS);
      if (k % 3 === 0) {
        const answered = r < 0.12 ? {} : undefined;
        const long = !answered && (customer === 'whale' || rnd() < (lastWeek ? 0.3 : 0.05));
        const calls: PlannedCall[] = answered
          ? []
          : [call(long ? 'sonnetLongContext' : 'sonnetCached', 20, 800 + Math.floor(rnd() * 2000))];
        const outcome = answered ? 'success' : r < 0.75 ? 'success' : r < 0.9 ? 'failure' : 'unknown';
        actions.push({
          id,
          service: 'support-app',
          surface: 'support-answer',
          customer,
          outcome,
          reason: outcome === 'failure' ? 'unhelpful' : '',
          startMs,
          durationMs: answered ? 5 + Math.floor(rnd() * 20) : 1_000 + Math.floor(rnd() * 3_000),
          calls,
          ...(answered ? { answered } : {}),
        });
      } else if (k % 3 === 1) {
        // Triage loops: 1–4 calls, sometimes a 429 retried, sometimes an unpriced fine-tune.
        const count = 1 + Math.floor(rnd() * 4);
        const calls: PlannedCall[] = [];
        let at = 10;
        let attempt = 0;
        for (let c = 0; c < count; c++) {
          const throttled = rnd() < 0.15;
          if (throttled) {
            calls.push({
              shape: 'miniPlain',
              offsetMs: at,
              durationMs: 30,
              failed: true,
              retryAttempt: attempt++,
            });
            at += 50;
          }
          const shape: ShapeId = rnd() < 0.1 ? 'unpriced' : 'miniPlain';
          calls.push({ ...call(shape, at, 200 + Math.floor(rnd() * 600)), retryAttempt: attempt });
          attempt = 0;
          at += 900;
        }
        const outcome = r < 0.7 ? 'success' : r < 0.9 ? 'failure' : 'unknown';
        actions.push({
          id,
          service: 'ops-app',
          surface: 'ticket-triage',
          customer,
          outcome,
          reason:
            outcome === 'failure' ? (calls.some((c) => c.failed) ? 'RateLimitError' : 'wrong-queue') : '',
          startMs,
          durationMs: at + 100,
          calls,
        });
      } else {
        const early = r < 0.1 ? { rule: 'empty-input' } : undefined;
        const o3Ms = 2_000 + Math.floor(rnd() * 4_000);
        const calls: PlannedCall[] = early
          ? []
          : [call('gpt4oCached', 15, 300 + Math.floor(rnd() * 700)), call('o3Reasoning', 1_100, o3Ms)];
        const outcome = early ? 'success' : r < 0.8 ? 'success' : r < 0.93 ? 'failure' : 'unknown';
        actions.push({
          id,
          service: 'support-app',
          surface: 'doc-summary',
          customer,
          outcome,
          reason: outcome === 'failure' ? 'timeout' : '',
          startMs,
          durationMs: early ? 2 : 1_100 + o3Ms + 100,
          calls,
          ...(early ? { answered: early } : {}),
        });
      }
    }
    if (d % 4 === 0) {
      lone.push({
        service: 'batch-job',
        startMs: start + d * DAY + 7_200_000,
        durationMs: 400,
        shape: 'miniPlain',
      });
    }
  }
  return { start, end, actions, lone };
}

function call(shape: ShapeId, offsetMs: number, durationMs: number): PlannedCall {
  return { shape, offsetMs, durationMs, failed: false, retryAttempt: 0 };
}
