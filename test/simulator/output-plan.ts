/**
 * Deterministic output: how many reasoning and visible tokens a request produces, and the text.
 * The same seed (model + prompt) always gives the same plan, streamed or not.
 *
 * @module
 */
import { createHash } from 'node:crypto';

export const MIN_OUTPUT_TOKENS = 20;
export const MAX_OUTPUT_TOKENS = 400;

export interface OutputPlan {
  /** Hidden reasoning / thinking tokens, billed inside the output count. */
  reasoningTokens: number;
  /** Visible tokens: one word each in `text`. */
  textTokens: number;
  text: string;
  /** The plan hit `maxTokens` (OpenAI `finish_reason: 'length'`, Anthropic `stop_reason: 'max_tokens'`). */
  truncated: boolean;
}

export interface OutputOptions {
  maxTokens?: number | undefined;
  /** Present when the model reasons: `scale` multiplies a 128–1024 base, `budget` caps it. */
  reasoning?: { scale: number; budget?: number | undefined } | undefined;
}

const WORDS: readonly string[] = (
  'the cost of each call depends on tokens cached input and output model price per million surface action ' +
  'success trace span usage is a prompt with context reply to user request answer'
).split(' ');

/** Three 32-bit numbers derived from the seed. */
export function seedNumbers(seed: string): [number, number, number] {
  const digest = createHash('sha256').update(seed).digest();
  return [digest.readUInt32BE(0), digest.readUInt32BE(4), digest.readUInt32BE(8)];
}

/** `count` words from a PRNG seeded with `seed` (mulberry32), one word per token. */
export function generateWords(count: number, seed: number): string {
  let state = seed >>> 0;
  const words: string[] = [];
  for (let i = 0; i < count; i++) {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    const r = (t ^ (t >>> 14)) >>> 0;
    words.push(WORDS[r % WORDS.length] ?? 'token');
  }
  return words.join(' ');
}

export function planOutput(seed: string, options: OutputOptions = {}): OutputPlan {
  const [a, b, c] = seedNumbers(seed);
  let textTokens = MIN_OUTPUT_TOKENS + (a % (MAX_OUTPUT_TOKENS - MIN_OUTPUT_TOKENS + 1));
  let reasoningTokens = 0;
  if (options.reasoning) {
    reasoningTokens = Math.floor((128 + (b % 897)) * options.reasoning.scale);
    if (options.reasoning.budget !== undefined) {
      reasoningTokens = Math.min(reasoningTokens, options.reasoning.budget);
    }
  }
  let truncated = false;
  const max = options.maxTokens;
  if (max !== undefined && reasoningTokens + textTokens > max) {
    truncated = true;
    reasoningTokens = Math.min(reasoningTokens, max);
    textTokens = max - reasoningTokens;
  }
  return { reasoningTokens, textTokens, text: generateWords(textTokens, c), truncated };
}

/** Splits a plan's text into pieces of `wordsPerPiece` words; the pieces concatenate to the text. */
export function splitWords(text: string, wordsPerPiece: number): string[] {
  if (text === '') return [];
  const words = text.split(' ');
  const pieces: string[] = [];
  for (let i = 0; i < words.length; i += wordsPerPiece) {
    const piece = words.slice(i, i + wordsPerPiece).join(' ');
    pieces.push(i === 0 ? piece : ` ${piece}`);
  }
  return pieces;
}
