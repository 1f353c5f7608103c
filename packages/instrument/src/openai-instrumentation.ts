/**
 * Patches the `openai` SDK (>=5 <8): `chat.completions.create`, plain and streamed, gets a CLIENT
 * span `chat {model}` with usage, cache, reasoning, service tier, SDK retries and errors.
 *
 * The patch is applied to `OpenAI.Chat.Completions.prototype`, reached from the package's main
 * export, which CommonJS (`require`) and ESM (`import`, through import-in-the-middle) both
 * deliver: one prototype serves every client. `patchExports()` applies it to a module object the
 * application already holds (a bundle, or an ESM test without the loader hook).
 *
 * @module
 */

import { context, diag, type Tracer } from '@opentelemetry/api';
import {
  InstrumentationBase,
  InstrumentationNodeModuleDefinition,
  isWrapped,
  type InstrumentationConfig,
} from '@opentelemetry/instrumentation';
import { COSTLINE_INSTRUMENTATION_SCOPE, COSTLINE_USAGE_MISSING, GEN_AI_PROVIDER } from '@costline/semconv';
import { tapClientFetch } from './fetch-tap.ts';
import { beginModelCall, type ModelCall } from './model-call.ts';
import {
  chatRequestAttributes,
  chatResponseAttributes,
  chatUsageAttributes,
  finishReasonAttributes,
  finishReasons,
} from './openai-chat-attributes.ts';
import { chatStreamObserver } from './openai-chat-stream.ts';
import { followResult } from './promise-tap.ts';
import { tapStream } from './stream-tap.ts';
import { VERSION } from './version.ts';
import { fields, member, text } from './wire-values.ts';

/** The `openai` versions patched. */
export const OPENAI_SUPPORTED_VERSIONS = ['>=5 <8'];

type Create = (this: unknown, ...args: unknown[]) => unknown;

export class CostlineOpenAIInstrumentation extends InstrumentationBase {
  constructor(config: InstrumentationConfig = {}) {
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
    const proto = completionsPrototype(exports);
    if (!proto) {
      diag.warn('@costline/instrument: openai module without OpenAI.Chat.Completions; not patched');
      return;
    }
    if (isWrapped(proto.create)) return;
    const tracer = (): Tracer => this.tracer;
    this._wrap(proto, 'create', (original) => patchCreate(tracer, original));
  }

  unpatchExports(exports: unknown): void {
    const proto = completionsPrototype(exports);
    if (proto && isWrapped(proto.create)) this._unwrap(proto, 'create');
  }
}

function completionsPrototype(exports: unknown): { create: Create } | undefined {
  const openai =
    member(exports, 'OpenAI') ?? member(member(exports, 'default'), 'OpenAI') ?? member(exports, 'default');
  const proto = fields(member(member(member(openai, 'Chat'), 'Completions'), 'prototype'));
  return typeof proto?.['create'] === 'function' ? (proto as { create: Create }) : undefined;
}

function patchCreate(tracer: () => Tracer, original: Create): Create {
  return function patchedCreate(this: unknown, ...args: unknown[]): unknown {
    let call: ModelCall;
    const params = fields(args[0]);
    try {
      const client = fields(fields(this)?.['_client']);
      tapClientFetch(client);
      const spec = {
        provider: GEN_AI_PROVIDER.openai,
        operation: 'chat',
        model: text(params?.['model']),
        attributes: chatRequestAttributes(params, client?.['baseURL']),
      };
      call = beginModelCall(tracer(), spec, true);
    } catch (error) {
      diag.debug('@costline/instrument: could not start an openai chat span', error);
      return original.apply(this, args);
    }
    let result: unknown;
    try {
      result = context.with(call.context, () => original.apply(this, args));
    } catch (error) {
      call.fail(error);
      throw error;
    }
    const streamed = params?.['stream'] === true;
    followResult(
      result,
      (value) => (streamed ? onStream(value, call) : call.succeed(completionAttributes(value))),
      (error) => call.fail(error),
    );
    return result;
  };
}

function onStream(stream: unknown, call: ModelCall): void {
  if (!tapStream(stream, chatStreamObserver(call))) call.succeed({ [COSTLINE_USAGE_MISSING]: true });
}

function completionAttributes(value: unknown) {
  const completion = fields(value);
  const usage = chatUsageAttributes(completion?.['usage']);
  return {
    ...chatResponseAttributes(completion),
    ...finishReasonAttributes(finishReasons(completion?.['choices'])),
    ...(Object.keys(usage).length > 0 ? usage : { [COSTLINE_USAGE_MISSING]: true }),
  };
}
