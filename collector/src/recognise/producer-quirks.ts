/**
 * Known, version-bounded counting bugs of a producer, corrected where the span carries enough to
 * correct them exactly, and always flagged on the row.
 *
 * - OpenLIT ≤1.15, Anthropic streams: output is `message_start`'s placeholder `output_tokens` plus
 *   `message_delta`'s cumulative count (DIALECTS.md §8.8; ingest-and-streams.md #4). Anthropic's
 *   `message_start` placeholder is 1 output token, so one is taken off:
 *   `producer_output_overcount_corrected`. Later OpenLIT versions are left as reported.
 *
 * @module
 */

import type { NormalisedUsage } from '@costline/pricing';
import type { AttrMap } from '../otlp/span.ts';
import { attrString } from './attributes.ts';
import { versionAtLeast } from './dialect.ts';
import type { Dialect } from './dialect.ts';

export function correctProducerQuirks(
  attrs: AttrMap,
  dialect: Dialect,
  provider: string,
  streaming: boolean,
  usage: NormalisedUsage | undefined,
): void {
  if (!usage || !streaming || dialect.name !== 'openlit' || provider !== 'anthropic') return;
  const sdkVersion = attrString(attrs, 'gen_ai.sdk.version') ?? '';
  if (sdkVersion !== '' && versionAtLeast(sdkVersion, '1.15.1')) return;
  if (usage.usage.outputTokens < 1) return;
  usage.usage.outputTokens -= 1;
  usage.outputTotal -= 1;
  usage.flags.push('producer_output_overcount_corrected');
}
