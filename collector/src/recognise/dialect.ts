/**
 * Which producer wrote a span, and what that means for reading its usage. The instrumentation
 * scope (name and version) is the most reliable discriminator (DIALECTS.md §9).
 *
 * @module
 */

import { COSTLINE_INSTRUMENTATION_SCOPE } from '@costline/semconv';
import type { DecodedSpan } from '../otlp/span.ts';

export interface Dialect {
  /** Short stable name stored on the row (`llm_calls.dialect`). */
  name: string;
  /** Whether `gen_ai.usage.input_tokens` includes cache reads and writes. */
  inputIncludesCache: boolean;
}

const COSTLINE: Dialect = { name: 'costline', inputIncludesCache: true };
const ANTHROPIC_NATIVE: Dialect = { name: 'anthropic-sdk', inputIncludesCache: true };
const SEMCONV: Dialect = { name: 'otel-genai', inputIncludesCache: true };

export function detectDialect(span: DecodedSpan): Dialect {
  if (span.scopeName === COSTLINE_INSTRUMENTATION_SCOPE) return COSTLINE;
  if (span.scopeName.startsWith('com.anthropic.sdk')) return ANTHROPIC_NATIVE;
  return SEMCONV;
}
