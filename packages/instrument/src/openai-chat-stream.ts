/**
 * What a streamed OpenAI chat completion records: the response id, model and service tier from
 * the chunks, each choice's finish reason, and the usage from the final chunk (`choices: []`),
 * which OpenAI sends only when the request set `stream_options.include_usage`. Without it the
 * call is marked `costline.usage.missing`; the request is changed to ask for usage only with the
 * opt-in (`requestStreamUsage`), and then the extra chunk is kept from the application.
 *
 * @module
 */

import type { Attributes } from '@opentelemetry/api';
import { COSTLINE_USAGE_MISSING } from '@costline/semconv';
import type { ModelCall } from './model-call.ts';
import {
  chatResponseAttributes,
  chatUsageAttributes,
  finishReasonAttributes,
  finishReasons,
} from './openai-chat-attributes.ts';
import type { StreamObserver } from './stream-tap.ts';
import { fields } from './wire-values.ts';

/**
 * `injectedUsage`: Costline added `include_usage` to the request (the opt-in), so the final usage
 * chunk (`choices: []`), which the application did not ask for, is recorded and not passed on.
 */
export function chatStreamObserver(call: ModelCall, injectedUsage = false): StreamObserver {
  let response: Attributes = {};
  const reasons: string[] = [];
  let usage: unknown;
  const seen = (): Attributes => ({
    ...response,
    ...finishReasonAttributes(reasons),
    ...(usage !== undefined ? chatUsageAttributes(usage) : { [COSTLINE_USAGE_MISSING]: true }),
  });
  return {
    event(value) {
      call.firstChunk();
      const chunk = fields(value);
      response = { ...response, ...chatResponseAttributes(chunk) };
      finishReasons(chunk?.['choices'], reasons);
      if (fields(chunk?.['usage'])) usage = chunk?.['usage'];
    },
    hides(value) {
      if (!injectedUsage) return false;
      const chunk = fields(value);
      return (
        Array.isArray(chunk?.['choices']) &&
        chunk['choices'].length === 0 &&
        fields(chunk['usage']) !== undefined
      );
    },
    done() {
      call.succeed(seen());
    },
    error(error) {
      call.fail(error, response);
    },
  };
}
