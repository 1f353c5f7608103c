/**
 * Patches the `openai` SDK (>=5 <8): `chat.completions.create`, `responses.create` and
 * `embeddings.create` each get a CLIENT span (`chat {model}`, `embeddings {model}`) with usage,
 * cache, reasoning, service tier, SDK retries and errors. The helpers (`chat.completions.parse` /
 * `.stream()`, `responses.parse` / `.stream()`) call `create`, so they are recorded once, by it.
 * A client built as `AzureOpenAI` is recorded as provider `azure.ai.openai`.
 *
 * The patch is applied to the resource prototypes, reached from the package's main export, which
 * CommonJS (`require`) and ESM (`import`, through import-in-the-middle) both deliver: one prototype
 * serves every client. `patchExports()` applies it to a module object the application already holds.
 *
 * Streams without usage: OpenAI sends a chat stream's usage only when the request sets
 * `stream_options.include_usage`. By default the request is left as it is and the call is marked
 * `costline.usage.missing`. With `requestStreamUsage` (or `COSTLINE_OPENAI_STREAM_USAGE=true`) the
 * request asks for usage and the extra usage chunk is kept from the application's code.
 *
 * @module
 */

import { diag, type Attributes, type Tracer } from '@opentelemetry/api';
import { getBooleanFromEnv } from '@opentelemetry/core';
import {
  InstrumentationBase,
  InstrumentationNodeModuleDefinition,
  isWrapped,
  type InstrumentationConfig,
} from '@opentelemetry/instrumentation';
import { COSTLINE_INSTRUMENTATION_SCOPE, COSTLINE_USAGE_MISSING, GEN_AI_PROVIDER } from '@costline/semconv';
import { tapClientRequests, withCallOption } from './fetch-tap.ts';
import { beginModelCall, type ModelCall } from './model-call.ts';
import {
  chatRequestAttributes,
  chatResponseAttributes,
  chatUsageAttributes,
  finishReasonAttributes,
  finishReasons,
} from './openai-chat-attributes.ts';
import { chatStreamObserver } from './openai-chat-stream.ts';
import { embeddingsRequestAttributes, embeddingsResultAttributes } from './openai-embeddings-attributes.ts';
import {
  responseObjectAttributes,
  responsesRequestAttributes,
  responsesUsageAttributes,
} from './openai-responses-attributes.ts';
import { responsesStreamObserver } from './openai-responses-stream.ts';
import { followResult } from './promise-tap.ts';
import { tapStream, type StreamObserver } from './stream-tap.ts';
import { VERSION } from './version.ts';
import { fields, member, text, type Fields } from './wire-values.ts';

/** The `openai` versions patched. */
export const OPENAI_SUPPORTED_VERSIONS = ['>=5 <8'];

/** Environment switch for `requestStreamUsage`. */
export const OPENAI_STREAM_USAGE_ENV = 'COSTLINE_OPENAI_STREAM_USAGE';

export interface CostlineOpenAIConfig extends InstrumentationConfig {
  /**
   * Ask for usage on chat streams that did not (`stream_options.include_usage: true`), and keep the
   * extra final chunk from the application. Off by default: the request is then sent unchanged and a
   * stream without usage is marked `costline.usage.missing`. Default from `COSTLINE_OPENAI_STREAM_USAGE`.
   */
  requestStreamUsage?: boolean;
}

type Create = (this: unknown, ...args: unknown[]) => unknown;

/** One patched `create`: how its request and result read. */
interface Operation {
  readonly resource: readonly string[];
  readonly operation: string;
  request(params: Fields | undefined, baseURL: unknown, provider: string): Attributes;
  result(value: unknown): Attributes;
  stream?(call: ModelCall, injectedUsage: boolean): StreamObserver;
  /** Chat only: the opt-in may add `stream_options.include_usage`. */
  readonly streamUsageOptIn?: true;
}

const OPERATIONS: readonly Operation[] = [
  {
    resource: ['Chat', 'Completions'],
    operation: 'chat',
    request: chatRequestAttributes,
    result: completionAttributes,
    stream: chatStreamObserver,
    streamUsageOptIn: true,
  },
  {
    resource: ['Responses'],
    operation: 'chat',
    request: responsesRequestAttributes,
    result: (value) =>
      withUsage(responseObjectAttributes(fields(value)), responsesUsageAttributes(fields(value)?.['usage'])),
    stream: responsesStreamObserver,
  },
  {
    resource: ['Embeddings'],
    operation: 'embeddings',
    request: embeddingsRequestAttributes,
    result: (value) => {
      const { response, usage } = embeddingsResultAttributes(value);
      return withUsage(response, usage);
    },
  },
];

export class CostlineOpenAIInstrumentation extends InstrumentationBase<CostlineOpenAIConfig> {
  constructor(config: CostlineOpenAIConfig = {}) {
    super(COSTLINE_INSTRUMENTATION_SCOPE, VERSION, config);
  }

  protected init(): InstrumentationNodeModuleDefinition[] {
    return [
      new InstrumentationNodeModuleDefinition(
        'openai',
        OPENAI_SUPPORTED_VERSIONS,
        (exports: unknown) => {
          this.patchExports(exports);
          return exports;
        },
        (exports: unknown) => this.unpatchExports(exports),
      ),
    ];
  }

  /** Patches the module object of `openai` (what `require('openai')` or `import('openai')` gives). */
  patchExports(exports: unknown): void {
    const tracer = (): Tracer => this.tracer;
    const fromEnv = getBooleanFromEnv(OPENAI_STREAM_USAGE_ENV) ?? false;
    const streamUsage = (): boolean => this.getConfig().requestStreamUsage ?? fromEnv;
    let patched = 0;
    for (const op of OPERATIONS) {
      const proto = resourcePrototype(exports, op.resource);
      if (!proto) continue;
      patched++;
      if (isWrapped(proto.create)) continue;
      this._wrap(proto, 'create', (original) => patchCreate(tracer, original, op, streamUsage));
    }
    if (patched === 0)
      diag.warn('@costline/instrument: openai module without the expected resources; not patched');
  }

  unpatchExports(exports: unknown): void {
    for (const op of OPERATIONS) {
      const proto = resourcePrototype(exports, op.resource);
      if (proto && isWrapped(proto.create)) this._unwrap(proto, 'create');
    }
  }
}

function resourcePrototype(exports: unknown, path: readonly string[]): { create: Create } | undefined {
  let node: unknown =
    member(exports, 'OpenAI') ?? member(member(exports, 'default'), 'OpenAI') ?? member(exports, 'default');
  for (const key of path) node = member(node, key);
  const proto = fields(member(node, 'prototype'));
  return typeof proto?.['create'] === 'function' ? (proto as { create: Create }) : undefined;
}

const providers = new WeakMap<object, string>();

/** `azure.ai.openai` for an `AzureOpenAI` client (by class, or by an Azure OpenAI host), else `openai`. */
function providerOf(client: Fields | undefined): string {
  if (!client) return GEN_AI_PROVIDER.openai;
  let provider = providers.get(client);
  if (provider === undefined) {
    provider = detectProvider(client);
    providers.set(client, provider);
  }
  return provider;
}

function detectProvider(client: Fields | undefined): string {
  for (let proto: unknown = client; proto; proto = Object.getPrototypeOf(proto)) {
    const name = (fields(proto)?.['constructor'] as { name?: unknown } | undefined)?.name;
    if (name === 'AzureOpenAI') return GEN_AI_PROVIDER.azureOpenai;
    if (name === 'OpenAI') break;
  }
  const base = text(client?.['baseURL']) ?? '';
  return /\.openai\.azure\.com|\.cognitiveservices\.azure\.com/.test(base)
    ? GEN_AI_PROVIDER.azureOpenai
    : GEN_AI_PROVIDER.openai;
}

/** The request with `stream_options.include_usage` added, or undefined when it needs none. */
function withStreamUsage(params: Fields | undefined): Fields | undefined {
  if (params?.['stream'] !== true) return undefined;
  const options = fields(params['stream_options']);
  if (options?.['include_usage'] !== undefined) return undefined;
  return { ...params, stream_options: { ...options, include_usage: true } };
}

function patchCreate(
  tracer: () => Tracer,
  original: Create,
  op: Operation,
  streamUsage: () => boolean,
): Create {
  return function patchedCreate(this: unknown, ...args: unknown[]): unknown {
    let call: ModelCall;
    const params = fields(args[0]);
    let callArgs = args;
    let injected = false;
    try {
      const client = fields(fields(this)?.['_client']);
      tapClientRequests(client);
      const provider = providerOf(client);
      if (op.streamUsageOptIn && params?.['stream'] === true && streamUsage()) {
        const asked = withStreamUsage(params);
        if (asked) {
          injected = true;
          callArgs = [asked, ...args.slice(1)];
        }
      }
      const spec = {
        provider,
        operation: op.operation,
        model: text(params?.['model']),
        attributes: op.request(params, client?.['baseURL'], provider),
      };
      call = beginModelCall(tracer(), spec, true);
      callArgs = [callArgs[0], withCallOption(callArgs[1], call.inFlight), ...callArgs.slice(2)];
    } catch (error) {
      diag.debug('@costline/instrument: could not start an openai span', error);
      return original.apply(this, args);
    }
    let result: unknown;
    try {
      // Not run inside a context: see `tapClientRequests` for why and how attempts are counted.
      result = original.apply(this, callArgs);
    } catch (error) {
      call.fail(error);
      throw error;
    }
    const streamed = params?.['stream'] === true;
    followResult(
      result,
      (value) => {
        if (!streamed || !op.stream) return call.succeed(op.result(value));
        if (!tapStream(value, op.stream(call, injected))) call.succeed({ [COSTLINE_USAGE_MISSING]: true });
      },
      (error) => call.fail(error),
    );
    return result;
  };
}

function withUsage(response: Attributes, usage: Attributes): Attributes {
  return { ...response, ...(Object.keys(usage).length > 0 ? usage : { [COSTLINE_USAGE_MISSING]: true }) };
}

function completionAttributes(value: unknown): Attributes {
  const completion = fields(value);
  return withUsage(
    {
      ...chatResponseAttributes(completion),
      ...finishReasonAttributes(finishReasons(completion?.['choices'])),
    },
    chatUsageAttributes(completion?.['usage']),
  );
}
