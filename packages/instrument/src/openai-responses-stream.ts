/**
 * What a streamed Responses API call records, from its typed events: the `Response` object of
 * `response.created` (id, model) and of the terminal event — `response.completed`,
 * `response.incomplete` or `response.failed` — which alone carries the usage. A stream cut before
 * it is marked `costline.usage.missing`.
 *
 * @module
 */

import type { Attributes } from '@opentelemetry/api';
import { COSTLINE_USAGE_MISSING } from '@costline/semconv';
import type { ModelCall } from './model-call.ts';
import { responseObjectAttributes, responsesUsageAttributes } from './openai-responses-attributes.ts';
import type { StreamObserver } from './stream-tap.ts';
import { fields } from './wire-values.ts';

const TERMINAL = new Set(['response.completed', 'response.incomplete', 'response.failed']);

export function responsesStreamObserver(call: ModelCall): StreamObserver {
  let response: Attributes = {};
  let usage: Attributes | undefined;
  return {
    event(value) {
      call.firstChunk();
      const event = fields(value);
      const type = event?.['type'];
      if (typeof type !== 'string' || !type.startsWith('response.')) return;
      const object = fields(event?.['response']);
      if (!object) return;
      response = { ...response, ...responseObjectAttributes(object) };
      if (TERMINAL.has(type)) {
        const u = responsesUsageAttributes(object['usage']);
        if (Object.keys(u).length > 0) usage = u;
      }
    },
    done() {
      call.succeed({ ...response, ...(usage ?? { [COSTLINE_USAGE_MISSING]: true }) });
    },
    error(error) {
      call.fail(error, response);
    },
  };
}
