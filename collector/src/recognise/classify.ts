/**
 * Decides what a span is to Costline: a model call (the only spans that carry cost), an action,
 * an app-cache answer, or something else (kept only for attribution).
 *
 * @module
 */

import {
  COSTLINE_SPAN_KIND,
  COSTLINE_SPAN_KIND_VALUE,
  GEN_AI_OPERATION_NAME,
  GEN_AI_OPERATIONS_BILLED,
} from '@costline/semconv';
import type { DecodedSpan } from '../otlp/span.ts';

export type SpanRole = 'action' | 'app_cache' | 'model_call' | 'other';

const BILLED = new Set<string>(GEN_AI_OPERATIONS_BILLED);

export function classifySpan(span: DecodedSpan): SpanRole {
  const kind = span.attributes[COSTLINE_SPAN_KIND];
  if (kind === COSTLINE_SPAN_KIND_VALUE.action) return 'action';
  if (kind === COSTLINE_SPAN_KIND_VALUE.appCache) return 'app_cache';
  const op = span.attributes[GEN_AI_OPERATION_NAME];
  if (typeof op === 'string' && BILLED.has(op)) return 'model_call';
  return 'other';
}
