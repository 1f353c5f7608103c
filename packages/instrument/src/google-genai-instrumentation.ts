/**
 * Patches `@google/genai` (>=1.10 <4): `models.generateContent`, `generateContentStream` and
 * `embedContent` get a CLIENT span (`generate_content {model}`, `embeddings {model}`) with usage,
 * cached and thoughts tokens, and errors; provider `gcp.vertex_ai` for a Vertex AI client, else
 * `gcp.gemini`.
 *
 * The SDK's public `Models` methods are instance arrow functions, so the patch is on the prototype
 * methods they call once per HTTP request: `generateContentInternal`, `generateContentStreamInternal`
 * and `embedContentInternal`. Automatic function calling therefore shows as one span per model call,
 * which is how it is billed; chats (`chats.create().sendMessage()`) go through the same methods.
 *
 * Stream usage is cumulative per chunk (every chunk repeats the prompt counts and the output so
 * far): the last chunk's `usageMetadata` is the call's, never a sum.
 *
 * @module
 */

import { diag, type Attributes, type Tracer } from '@opentelemetry/api';
import {
  InstrumentationBase,
  InstrumentationNodeModuleDefinition,
  isWrapped,
  type InstrumentationConfig,
} from '@opentelemetry/instrumentation';
import { COSTLINE_INSTRUMENTATION_SCOPE, COSTLINE_USAGE_MISSING, GEN_AI_PROVIDER } from '@costline/semconv';
import {
  bareModel,
  genaiEmbedUsageAttributes,
  genaiRequestAttributes,
  genaiResponseAttributes,
  genaiUsageAttributes,
} from './google-genai-attributes.ts';
import { beginModelCall, type ModelCall } from './model-call.ts';
import { followResult } from './promise-tap.ts';
import { observeIterable, type StreamObserver } from './stream-tap.ts';
import { VERSION } from './version.ts';
import { fields, member, type Fields } from './wire-values.ts';

/** The `@google/genai` versions patched. */
export const GOOGLE_GENAI_SUPPORTED_VERSIONS = ['>=1.10 <4'];

type Method = (this: unknown, ...args: unknown[]) => unknown;
type Kind = 'generate' | 'stream' | 'embed';

const METHODS: readonly [string, Kind][] = [
  ['generateContentInternal', 'generate'],
  ['generateContentStreamInternal', 'stream'],
  ['embedContentInternal', 'embed'],
];

export class CostlineGoogleGenAIInstrumentation extends InstrumentationBase {
  constructor(config: InstrumentationConfig = {}) {
    super(COSTLINE_INSTRUMENTATION_SCOPE, VERSION, config);
  }

  protected init(): InstrumentationNodeModuleDefinition[] {
    return [
      new InstrumentationNodeModuleDefinition(
        '@google/genai',
        GOOGLE_GENAI_SUPPORTED_VERSIONS,
        (exports: unknown) => {
          this.patchExports(exports);
          return exports;
        },
        (exports: unknown) => this.unpatchExports(exports),
      ),
    ];
  }

  /** Patches the module object of `@google/genai`. */
  patchExports(exports: unknown): void {
    const proto = modelsPrototype(exports);
    if (!proto) {
      diag.warn(
        '@costline/instrument: @google/genai module without Models.generateContentInternal; not patched',
      );
      return;
    }
    const tracer = (): Tracer => this.tracer;
    for (const [name, kind] of METHODS) {
      if (typeof proto[name] !== 'function' || isWrapped(proto[name])) continue;
      this._wrap(proto, name, (original: Method) => patchMethod(tracer, original, kind));
    }
  }

  unpatchExports(exports: unknown): void {
    const proto = modelsPrototype(exports);
    if (!proto) return;
    for (const [name] of METHODS) if (isWrapped(proto[name])) this._unwrap(proto, name);
  }
}

function modelsPrototype(exports: unknown): Record<string, Method> | undefined {
  const models = member(exports, 'Models') ?? member(member(exports, 'default'), 'Models');
  const proto = fields(member(models, 'prototype'));
  return typeof proto?.['generateContentInternal'] === 'function'
    ? (proto as Record<string, Method>)
    : undefined;
}

function patchMethod(tracer: () => Tracer, original: Method, kind: Kind): Method {
  return function patched(this: unknown, ...args: unknown[]): unknown {
    let call: ModelCall;
    try {
      const params = fields(args[0]);
      const client = fields(fields(this)?.['apiClient']);
      const vertex = callMethod(client, 'isVertexAI') === true;
      const provider = vertex ? GEN_AI_PROVIDER.gcpVertexAi : GEN_AI_PROVIDER.gcpGemini;
      const operation = kind === 'embed' ? 'embeddings' : 'generate_content';
      const spec = {
        provider,
        operation,
        model: bareModel(params?.['model']),
        attributes: genaiRequestAttributes(
          params,
          operation,
          provider,
          callMethod(client, 'getBaseUrl'),
          kind === 'stream',
        ),
      };
      call = beginModelCall(tracer(), spec, true);
    } catch (error) {
      diag.debug('@costline/instrument: could not start a @google/genai span', error);
      return original.apply(this, args);
    }
    let result: unknown;
    try {
      // Not run inside a context: nothing inside the SDK needs it, and entering one switches on
      // AsyncLocalStorage's promise hooks process-wide (see `tapClientRequests` in fetch-tap.ts).
      result = original.apply(this, args);
    } catch (error) {
      call.fail(error);
      throw error;
    }
    if (kind === 'stream' && isPromise(result)) {
      // The stream is a generator the SDK resolves to: hand on an observed one in its place.
      return result.then(
        (stream) => {
          try {
            const observed = observeIterable(stream, streamObserver(call));
            if (observed) return observed;
          } catch (problem) {
            diag.debug('@costline/instrument: could not observe a @google/genai stream', problem);
          }
          call.succeed({ [COSTLINE_USAGE_MISSING]: true });
          return stream;
        },
        (error: unknown) => {
          call.fail(error);
          throw error;
        },
      );
    }
    followResult(
      result,
      (value) => call.succeed(kind === 'embed' ? embedAttributes(value) : generateAttributes(value)),
      (error) => call.fail(error),
    );
    return result;
  };
}

function callMethod(target: Fields | undefined, name: string): unknown {
  const fn = target?.[name];
  return typeof fn === 'function' ? (fn as () => unknown).call(target) : undefined;
}

function isPromise(value: unknown): value is Promise<unknown> {
  return value instanceof Promise;
}

function withUsage(response: Attributes, usage: Attributes): Attributes {
  return { ...response, ...(Object.keys(usage).length > 0 ? usage : { [COSTLINE_USAGE_MISSING]: true }) };
}

function generateAttributes(value: unknown): Attributes {
  const response = fields(value);
  return withUsage(genaiResponseAttributes(response), genaiUsageAttributes(response?.['usageMetadata']));
}

function embedAttributes(value: unknown): Attributes {
  return withUsage({}, genaiEmbedUsageAttributes(fields(value)));
}

function streamObserver(call: ModelCall): StreamObserver {
  let response: Attributes = {};
  let usage: unknown;
  return {
    event(value) {
      call.firstChunk();
      const chunk = fields(value);
      response = { ...response, ...genaiResponseAttributes(chunk) };
      // Cumulative: the latest usageMetadata replaces the one before.
      if (fields(chunk?.['usageMetadata'])) usage = chunk?.['usageMetadata'];
    },
    done() {
      call.succeed(withUsage(response, genaiUsageAttributes(usage)));
    },
    error(error) {
      call.fail(error, response);
    },
  };
}
