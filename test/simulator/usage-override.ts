/**
 * The `x-sim-usage` request header: a JSON usage object in the provider's own shape that the
 * simulator reports verbatim instead of what it computed — in the JSON body, in the stream (OpenAI's
 * `include_usage` chunk; Anthropic's `message_start` and `message_delta`) and in `stats()`.
 * End-to-end tests use it to force exact, known numbers, e.g. a 250K-token long-context call without
 * sending a megabyte of prompt. Nothing is filled in or checked beyond "is a JSON object".
 *
 * @module
 */
import { isRecord, parseJson, type JsonObject } from './json-value.ts';

export const USAGE_HEADER = 'x-sim-usage';

export function parseUsageHeader(value: string | undefined): JsonObject | { error: string } | undefined {
  if (value === undefined) return undefined;
  const parsed = parseJson(value);
  if (!parsed.ok || !isRecord(parsed.value)) {
    return { error: `${USAGE_HEADER}: expected a JSON object with the provider's usage fields` };
  }
  return parsed.value;
}
