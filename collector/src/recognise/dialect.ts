/**
 * Which producer wrote a span. The instrumentation scope (name and version) is the most reliable
 * discriminator (DIALECTS.md §9); a few producers are also told apart by attributes only they write.
 * What a dialect means for reading usage lives in `usage.ts`; this module only names it.
 *
 * @module
 */

import { COSTLINE_INSTRUMENTATION_SCOPE } from '@costline/semconv';
import type { DecodedSpan } from '../otlp/span.ts';

export type DialectName =
  | 'costline'
  | 'anthropic-sdk'
  | 'traceloop'
  | 'openinference'
  | 'ai-sdk'
  | 'ai-sdk-otel'
  | 'openlit'
  | 'langfuse'
  | 'otel-contrib-openai'
  | 'otel-contrib-aws-sdk'
  | 'otel-genai';

export interface Dialect {
  /** Short stable name stored on the row (`llm_calls.dialect`). */
  name: DialectName;
  /** The instrumentation scope's version ('' when the producer sends none). */
  version: string;
  /**
   * Whether this producer wraps a provider SDK method from outside, so the SDK's own span (the
   * Anthropic SDK traces itself) can sit under it as a second span for the same call.
   */
  wrapsSdk: boolean;
}

const BY_SCOPE_PREFIX: readonly (readonly [string, DialectName, boolean])[] = [
  [COSTLINE_INSTRUMENTATION_SCOPE, 'costline', false],
  ['com.anthropic.sdk', 'anthropic-sdk', false],
  ['@traceloop/', 'traceloop', true],
  ['@arizeai/openinference', 'openinference', true],
  ['@openlit/', 'openlit', true],
  ['langfuse', 'langfuse', true],
  ['@opentelemetry/instrumentation-openai', 'otel-contrib-openai', true],
  ['@opentelemetry/instrumentation-aws-sdk', 'otel-contrib-aws-sdk', false],
];

export function detectDialect(span: DecodedSpan): Dialect {
  const scope = span.scopeName;
  const version = span.scopeVersion;
  for (const [prefix, name, wrapsSdk] of BY_SCOPE_PREFIX) {
    if (scope.startsWith(prefix)) return { name, version, wrapsSdk };
  }
  // The AI SDK's scopes carry no version: `ai` (built-in and v7 LegacyOpenTelemetry), `gen_ai`
  // (v7 @ai-sdk/otel). It calls providers with fetch, so no SDK span sits under it.
  if (scope === 'ai' || typeof span.attributes['ai.operationId'] === 'string') {
    return { name: 'ai-sdk', version, wrapsSdk: false };
  }
  if (scope === 'gen_ai') return { name: 'ai-sdk-otel', version, wrapsSdk: false };
  const a = span.attributes;
  if (a['telemetry.sdk.name'] === 'openlit') return { name: 'openlit', version, wrapsSdk: true };
  if (typeof a['openinference.span.kind'] === 'string')
    return { name: 'openinference', version, wrapsSdk: true };
  if (typeof a['langfuse.observation.type'] === 'string')
    return { name: 'langfuse', version, wrapsSdk: true };
  return { name: 'otel-genai', version, wrapsSdk: true };
}

/** `0.2.8` → [0, 2, 8]; missing parts are 0, anything unparsable is [0]. */
export function parseVersion(version: string): number[] {
  const m = /^v?(\d+)(?:\.(\d+))?(?:\.(\d+))?/.exec(version.trim());
  if (!m) return [0];
  return [Number(m[1]), Number(m[2] ?? 0), Number(m[3] ?? 0)];
}

/** Whether `version` is at least `min` (both `major.minor.patch`). */
export function versionAtLeast(version: string, min: string): boolean {
  const a = parseVersion(version);
  const b = parseVersion(min);
  for (let i = 0; i < 3; i++) {
    const d = (a[i] ?? 0) - (b[i] ?? 0);
    if (d !== 0) return d > 0;
  }
  return true;
}
