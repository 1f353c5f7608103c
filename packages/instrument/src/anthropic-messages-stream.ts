/**
 * What a streamed Anthropic message records, from its raw events: `message_start` carries the id,
 * model and the input-side usage (with a placeholder output count), each `message_delta` the stop
 * reason and the cumulative usage so far. The last usage seen is the call's usage; it is never
 * summed with `message_start`'s.
 *
 * @module
 */

import type { Attributes } from '@opentelemetry/api';
import { COSTLINE_USAGE_MISSING, GEN_AI_RESPONSE_FINISH_REASONS } from '@costline/semconv';
import { mergeUsage, messageAttributes, messagesUsageAttributes } from './anthropic-messages-attributes.ts';
import type { ModelCall } from './model-call.ts';
import type { StreamObserver } from './stream-tap.ts';
import { fields, text, type Fields } from './wire-values.ts';

export function messagesStreamObserver(call: ModelCall): StreamObserver {
  let response: Attributes = {};
  let usage: Fields | undefined;
  let stop: string | undefined;
  const seen = (): Attributes => ({
    ...response,
    ...(stop !== undefined ? { [GEN_AI_RESPONSE_FINISH_REASONS]: [stop] } : undefined),
    ...(usage !== undefined ? messagesUsageAttributes(usage) : { [COSTLINE_USAGE_MISSING]: true }),
  });
  return {
    event(value) {
      call.firstChunk();
      const event = fields(value);
      if (event?.['type'] === 'message_start') {
        const message = fields(event['message']);
        response = messageAttributes(message);
        usage = fields(message?.['usage']);
      } else if (event?.['type'] === 'message_delta') {
        stop = text(fields(event['delta'])?.['stop_reason']) ?? stop;
        const delta = fields(event['usage']);
        if (delta) usage = mergeUsage(usage, delta);
      }
    },
    done() {
      call.succeed(seen());
    },
    error(error) {
      call.fail(error, response);
    },
  };
}
