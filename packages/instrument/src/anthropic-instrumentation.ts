/**
 * Patches `@anthropic-ai/sdk` (>=0.50 <2): `messages.create` and `beta.messages.create`, plain and
 * streamed (the `stream()` / `parse()` helpers call them too), get a CLIENT span `chat {model}` with usage including
 * cache writes by TTL, SDK retries and errors.
 *
 * No double counting: since 0.134 the SDK traces each call itself (`anthropic.messages.create`,
 * scope `com.anthropic.sdk.typescript`) whenever the client's tracing is on (`client._tracer` set:
 * not turned off by `openTelemetry: false` or `ANTHROPIC_OPEN_TELEMETRY=false`). Then Costline
 * starts no span up front: it runs the call with the call marked in the context, and the Costline
 * span processor, seeing the SDK's span start under it, notes it (and stamps it with the action
 * retry attempt and system prompt size). Only when no native span was seen (tracing off, or the SDK's tracer not
 * recording) does Costline record its own span, back-dated to the call's start.
 *
 * @module
 */

import { context, diag, type Span, type Tracer } from '@opentelemetry/api';
import {
  InstrumentationBase,
  InstrumentationNodeModuleDefinition,
  isWrapped,
  type InstrumentationConfig,
} from '@opentelemetry/instrumentation';
import {
  COSTLINE_INSTRUMENTATION_SCOPE,
  COSTLINE_SYSTEM_PROMPT_CHARS,
  COSTLINE_USAGE_MISSING,
  GEN_AI_PROVIDER,
} from '@costline/semconv';
import {
  messageAttributes,
  messagesRequestAttributes,
  messagesUsageAttributes,
} from './anthropic-messages-attributes.ts';
import { messagesStreamObserver } from './anthropic-messages-stream.ts';
import { tapClientFetch } from './fetch-tap.ts';
import { beginModelCall, type ModelCall } from './model-call.ts';
import { followResult } from './promise-tap.ts';
import { tapStream } from './stream-tap.ts';
import { VERSION } from './version.ts';
import { fields, member, text, type Fields } from './wire-values.ts';

/** The `@anthropic-ai/sdk` versions patched. */
export const ANTHROPIC_SUPPORTED_VERSIONS = ['>=0.50 <2'];

/** Scope-name prefix of the Anthropic SDK's own spans. */
export const ANTHROPIC_NATIVE_SCOPE = 'com.anthropic.sdk';

type Create = (this: unknown, ...args: unknown[]) => unknown;

export class CostlineAnthropicInstrumentation extends InstrumentationBase {
  constructor(config: InstrumentationConfig = {}) {
    super(COSTLINE_INSTRUMENTATION_SCOPE, VERSION, config);
  }

  protected init(): InstrumentationNodeModuleDefinition[] {
    return [
      new InstrumentationNodeModuleDefinition(
        '@anthropic-ai/sdk',
        ANTHROPIC_SUPPORTED_VERSIONS,
        (exports: unknown) => {
          this.patchExports(exports);
          return exports;
        },
        (exports: unknown) => this.unpatchExports(exports),
      ),
    ];
  }

  /** Patches the module object of `@anthropic-ai/sdk`. */
  patchExports(exports: unknown): void {
    const protos = messagesPrototypes(exports);
    if (protos.length === 0) {
      diag.warn('@costline/instrument: @anthropic-ai/sdk module without Anthropic.Messages; not patched');
      return;
    }
    const tracer = (): Tracer => this.tracer;
    for (const proto of protos) {
      if (!isWrapped(proto.create)) this._wrap(proto, 'create', (original) => patchCreate(tracer, original));
    }
  }

  unpatchExports(exports: unknown): void {
    for (const proto of messagesPrototypes(exports))
      if (isWrapped(proto.create)) this._unwrap(proto, 'create');
  }
}

/** `Anthropic.Messages` and `Anthropic.Beta.Messages` (`client.beta.messages`), when present. */
function messagesPrototypes(exports: unknown): { create: Create }[] {
  const anthropic =
    member(exports, 'Anthropic') ??
    member(member(exports, 'default'), 'Anthropic') ??
    member(exports, 'default');
  const found: { create: Create }[] = [];
  for (const resource of [member(anthropic, 'Messages'), member(member(anthropic, 'Beta'), 'Messages')]) {
    const proto = fields(member(resource, 'prototype'));
    if (typeof proto?.['create'] === 'function') found.push(proto as { create: Create });
  }
  return found;
}

/** True when the client may trace this call itself: its tracer is set (SDK >= 0.134, tracing on). */
function mayTraceNatively(client: Fields | undefined): boolean {
  const tracer = client?.['_tracer'];
  return tracer !== undefined && tracer !== null && tracer !== false;
}

function patchCreate(tracer: () => Tracer, original: Create): Create {
  return function patchedCreate(this: unknown, ...args: unknown[]): unknown {
    let call: ModelCall;
    let native: boolean;
    const params = fields(args[0]);
    try {
      const client = fields(fields(this)?.['_client']);
      native = mayTraceNatively(client);
      tapClientFetch(client);
      const spec = {
        provider: GEN_AI_PROVIDER.anthropic,
        operation: 'chat',
        model: text(params?.['model']),
        attributes: messagesRequestAttributes(params, client?.['baseURL']),
        ...(native
          ? { nativeScope: ANTHROPIC_NATIVE_SCOPE, nativeKeys: [COSTLINE_SYSTEM_PROMPT_CHARS] }
          : undefined),
      };
      call = beginModelCall(tracer(), spec, !native);
      const helperSpan = native ? helperStartedSpan(args[1]) : undefined;
      if (helperSpan) call.adoptNative(helperSpan);
    } catch (error) {
      diag.debug('@costline/instrument: could not start an anthropic messages span', error);
      return original.apply(this, args);
    }
    let result: unknown;
    try {
      result = context.with(call.context, () => original.apply(this, args));
    } catch (error) {
      call.startUnlessNative();
      call.fail(error);
      throw error;
    }
    // The SDK starts its own span synchronously inside `create`: by now it is known.
    if (native) call.startUnlessNative();
    const streamed = params?.['stream'] === true;
    followResult(
      result,
      (value) => {
        if (!call.span) call.succeed({});
        else if (streamed) onStream(value, call);
        else call.succeed(messageResultAttributes(value));
      },
      (error) => call.fail(error),
    );
    return result;
  };
}

/**
 * The SDK's span for this call when a helper (`messages.stream()`) started it before calling
 * `create`: the helper passes it down as the request option `__span` (`{ span, name, … }`), and
 * `create` then starts none of its own, so the span processor never sees one start under the call.
 */
function helperStartedSpan(options: unknown): Span | undefined {
  const span = fields(fields(options)?.['__span'])?.['span'];
  const s = fields(span);
  return typeof s?.['setAttributes'] === 'function' && typeof s['spanContext'] === 'function'
    ? (span as Span)
    : undefined;
}

function onStream(stream: unknown, call: ModelCall): void {
  if (!tapStream(stream, messagesStreamObserver(call))) call.succeed({ [COSTLINE_USAGE_MISSING]: true });
}

function messageResultAttributes(value: unknown) {
  const message = fields(value);
  const usage = messagesUsageAttributes(message?.['usage']);
  return {
    ...messageAttributes(message),
    ...(Object.keys(usage).length > 0 ? usage : { [COSTLINE_USAGE_MISSING]: true }),
  };
}
