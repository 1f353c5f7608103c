/**
 * `costline price` in one function: a JSON object as the CLI reads it (usage exactly as the provider
 * returned it, snake_case keys) in, a JSON-ready breakdown out. The CLI maps arrays over it and
 * turns {@link PriceInputError} into exit code 2.
 *
 * @module
 */

import { PriceInputError, UsageError } from './errors.ts';
import { normaliseProviderUsage } from './normalise-provider-usage.ts';
import type { Pricer } from './pricer.ts';
import type { NormalisedUsage } from './usage.ts';
import { describe, isRecord } from './usage.ts';

export interface PriceJsonBucket {
  tokens: number;
  usd_per_mtok: string;
  cost_usd: string;
}

export interface PriceJsonOutput {
  /** Decimal string, rounded half-even to 12 places. */
  cost_usd: string;
  /** All input tokens, cache reads and writes included. */
  input_tokens_total: number;
  output_tokens_total: number;
  buckets: Record<string, PriceJsonBucket>;
  tier: string;
  source: string;
  source_version: string;
  flags: string[];
  priced: boolean;
  /** True when a price is an estimate (a self-hosted model priced per GPU-hour in the price book). */
  estimated: boolean;
  provider: string;
  model: string;
}

/** ISO 8601 date, or date-time with an explicit offset (a bare local time would depend on the machine's zone). */
const ISO_8601 = /^\d{4}-\d{2}-\d{2}(?:T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:?\d{2}))?$/;

function requiredString(input: Readonly<Record<string, unknown>>, field: string): string {
  const value = input[field];
  if (value === undefined || value === null) throw new PriceInputError('missing_field', field, 'required');
  if (typeof value !== 'string' || value.trim() === '') {
    throw new PriceInputError('invalid_field', field, `must be a non-empty string, got ${describe(value)}`);
  }
  return value;
}

function parseTime(input: Readonly<Record<string, unknown>>): Date {
  const text = requiredString(input, 'time');
  const time = ISO_8601.test(text) ? new Date(text) : undefined;
  // Round-trip the calendar date so 2026-02-30 is refused rather than rolled over to March.
  if (time === undefined || Number.isNaN(time.getTime()) || !validCalendarDate(text)) {
    throw new PriceInputError(
      'invalid_field',
      'time',
      `not an ISO 8601 date: ${JSON.stringify(text.slice(0, 40))}`,
    );
  }
  return time;
}

function validCalendarDate(text: string): boolean {
  const [y, m, d] = text.slice(0, 10).split('-').map(Number);
  if (y === undefined || m === undefined || d === undefined) return false;
  const date = new Date(Date.UTC(y, m - 1, d));
  return date.getUTCFullYear() === y && date.getUTCMonth() === m - 1 && date.getUTCDate() === d;
}

function optionalString(input: Readonly<Record<string, unknown>>, field: string): string | undefined {
  const value = input[field];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') {
    throw new PriceInputError('invalid_field', field, `must be a string, got ${describe(value)}`);
  }
  return value;
}

function parseToolCalls(input: Readonly<Record<string, unknown>>): Record<string, number> {
  const value = input['tool_calls'];
  if (value === undefined || value === null) return {};
  if (!isRecord(value)) {
    throw new PriceInputError(
      'invalid_field',
      'tool_calls',
      `must be an object of call counts, got ${describe(value)}`,
    );
  }
  const calls: Record<string, number> = {};
  for (const [tool, count] of Object.entries(value)) {
    if (typeof count !== 'number' || !Number.isSafeInteger(count) || count < 0) {
      throw new PriceInputError(
        'invalid_field',
        `tool_calls.${tool}`,
        `must be a non-negative integer, got ${describe(count)}`,
      );
    }
    calls[tool] = count;
  }
  return calls;
}

function normalise(provider: string, usage: unknown): NormalisedUsage {
  if (usage === undefined || usage === null) throw new PriceInputError('missing_field', 'usage', 'required');
  try {
    return normaliseProviderUsage(provider, usage);
  } catch (err) {
    if (err instanceof UsageError)
      throw new PriceInputError('invalid_usage', err.field, err.problem, { cause: err });
    throw err;
  }
}

/**
 * Prices one `costline price` input object. Throws {@link PriceInputError} (its message names the
 * field, e.g. `time: not an ISO 8601 date: "yesterday"`) for input that cannot be read; an unknown
 * model or contradictory usage is not an error but `priced: false` with flags.
 */
/** The fields of a price request; any other is refused. */
const FIELDS: readonly string[] = [
  'provider',
  'model',
  'time',
  'usage',
  'service_tier',
  'tool_calls',
  'region',
  'request_model',
];

export function priceJson(input: unknown, pricer: Pricer): PriceJsonOutput {
  if (!isRecord(input)) {
    throw new PriceInputError('invalid_field', '(input)', `must be a JSON object, got ${describe(input)}`);
  }
  // A misspelt optional field (`service_teir`) would otherwise be priced as if absent: at the
  // standard tier, without its region, its tool calls.
  for (const key in input) {
    if (!FIELDS.includes(key)) {
      throw new PriceInputError(
        'unknown_field',
        key,
        `not a field of a price request (${FIELDS.join(', ')})`,
      );
    }
  }
  const provider = requiredString(input, 'provider');
  const model = requiredString(input, 'model');
  const time = parseTime(input);
  // The Anthropic usage object carries its own service_tier; an explicit field wins.
  const usageTier = isRecord(input['usage']) ? input['usage']['service_tier'] : undefined;
  const serviceTier =
    optionalString(input, 'service_tier') ?? (typeof usageTier === 'string' ? usageTier : undefined);
  const region = optionalString(input, 'region');
  const requestModel = optionalString(input, 'request_model');
  const explicitTools = parseToolCalls(input);
  const normalised = normalise(provider, input['usage']);

  const result = pricer.price({
    provider,
    model,
    fallbackModel: requestModel,
    region,
    time,
    usage: normalised.usage,
    serviceTier,
    // Explicit counts win over counts the provider reported inside usage (Anthropic server_tool_use).
    toolCalls: { ...normalised.toolCalls, ...explicitTools },
    flags: normalised.flags,
  });
  const buckets: Record<string, PriceJsonBucket> = {};
  for (const [name, b] of Object.entries(result.buckets)) {
    buckets[name] = { tokens: b.tokens, usd_per_mtok: b.usdPerMtok, cost_usd: b.costUsd };
  }
  return {
    cost_usd: result.costUsd,
    input_tokens_total: normalised.inputTotal,
    output_tokens_total: normalised.outputTotal,
    buckets,
    tier: result.tier,
    source: result.source,
    source_version: result.sourceVersion,
    flags: result.flags,
    priced: result.priced,
    estimated: result.estimated,
    provider: result.provider,
    model: result.model,
  };
}
