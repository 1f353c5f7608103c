/**
 * Patches `@aws-sdk/client-bedrock-runtime` (>=3.600 <4): `client.send(new ConverseCommand(…))` and
 * `ConverseStreamCommand` get a CLIENT span `chat {modelId}`, provider `aws.bedrock`, with usage
 * (cache reads and writes folded into the input total), the SDK's own retries (from
 * `$metadata.attempts`) and errors (`ThrottlingException`, …). Other commands pass through.
 *
 * The patch is on `BedrockRuntimeClient.prototype.send` (inherited from the Smithy client), so
 * only Bedrock Runtime clients are touched. A `send` with a callback is passed through unrecorded.
 * ConverseStream's `stream` is replaced by an observed iterable yielding the same events; its usage
 * is in the last, `metadata`, event.
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
  converseRequestAttributes,
  converseUsageAttributes,
  stopReasonAttributes,
} from './bedrock-converse-attributes.ts';
import { beginModelCall, type ModelCall } from './model-call.ts';
import { followResult } from './promise-tap.ts';
import { observeIterable, type StreamObserver } from './stream-tap.ts';
import { VERSION } from './version.ts';
import { count, fields, member, text } from './wire-values.ts';

/** The `@aws-sdk/client-bedrock-runtime` versions patched. */
export const BEDROCK_SUPPORTED_VERSIONS = ['>=3.600 <4'];

type Send = (this: unknown, ...args: unknown[]) => unknown;

export class CostlineBedrockInstrumentation extends InstrumentationBase {
  constructor(config: InstrumentationConfig = {}) {
    super(COSTLINE_INSTRUMENTATION_SCOPE, VERSION, config);
  }

  protected init(): InstrumentationNodeModuleDefinition[] {
    return [
      new InstrumentationNodeModuleDefinition(
        '@aws-sdk/client-bedrock-runtime',
        BEDROCK_SUPPORTED_VERSIONS,
        (exports: unknown) => {
          this.patchExports(exports);
          return exports;
        },
        (exports: unknown) => this.unpatchExports(exports),
      ),
    ];
  }

  /** Patches the module object of `@aws-sdk/client-bedrock-runtime`. */
  patchExports(exports: unknown): void {
    const target = targets(exports);
    if (!target) {
      diag.warn(
        '@costline/instrument: @aws-sdk/client-bedrock-runtime without BedrockRuntimeClient; not patched',
      );
      return;
    }
    if (isWrapped(target.proto.send)) return;
    const tracer = (): Tracer => this.tracer;
    this._wrap(target.proto, 'send', (original: Send) => patchSend(tracer, original, target.commands));
  }

  unpatchExports(exports: unknown): void {
    const target = targets(exports);
    if (target && isWrapped(target.proto.send)) this._unwrap(target.proto, 'send');
  }
}

interface Commands {
  readonly converse: unknown;
  readonly converseStream: unknown;
}

function targets(exports: unknown): { proto: { send: Send }; commands: Commands } | undefined {
  const mod = member(exports, 'BedrockRuntimeClient') ? exports : member(exports, 'default');
  const proto = fields(member(member(mod, 'BedrockRuntimeClient'), 'prototype'));
  if (typeof proto?.['send'] !== 'function') return undefined;
  return {
    proto: proto as { send: Send },
    commands: {
      converse: member(mod, 'ConverseCommand'),
      converseStream: member(mod, 'ConverseStreamCommand'),
    },
  };
}

function isInstance(value: unknown, ctor: unknown): boolean {
  return typeof ctor === 'function' && value instanceof ctor;
}

function patchSend(tracer: () => Tracer, original: Send, commands: Commands): Send {
  return function patchedSend(this: unknown, ...args: unknown[]): unknown {
    const command = args[0];
    const stream = isInstance(command, commands.converseStream);
    if ((!stream && !isInstance(command, commands.converse)) || args.some((a) => typeof a === 'function')) {
      return original.apply(this, args);
    }
    let call: ModelCall;
    try {
      const input = fields(fields(command)?.['input']);
      const spec = {
        provider: GEN_AI_PROVIDER.awsBedrock,
        operation: 'chat',
        model: text(input?.['modelId']),
        attributes: converseRequestAttributes(input, stream),
      };
      call = beginModelCall(tracer(), spec, true);
    } catch (error) {
      diag.debug('@costline/instrument: could not start a bedrock span', error);
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
    followResult(
      result,
      (value) => {
        const output = fields(value);
        noteAttempts(call, output);
        if (!stream) {
          call.succeed(
            withUsage(
              stopReasonAttributes(output?.['stopReason']),
              converseUsageAttributes(output?.['usage']),
            ),
          );
          return;
        }
        const observed = observeIterable(output?.['stream'], streamObserver(call));
        if (observed) (value as { stream: unknown }).stream = observed;
        else call.succeed({ [COSTLINE_USAGE_MISSING]: true });
      },
      (error) => {
        noteAttempts(call, fields(error));
        call.fail(error);
      },
    );
    return result;
  };
}

/** The AWS SDK reports its attempts (retries included) on the output's or error's `$metadata`. */
function noteAttempts(call: ModelCall, holder: Record<string, unknown> | undefined): void {
  const metadata = fields(holder?.['$metadata']);
  const attempts = count(metadata?.['attempts']);
  if (attempts !== undefined) call.inFlight.attempts = attempts;
  const delay = count(metadata?.['totalRetryDelay']);
  if (delay !== undefined) call.inFlight.resendMs = delay;
}

function withUsage(response: Attributes, usage: Attributes): Attributes {
  return { ...response, ...(Object.keys(usage).length > 0 ? usage : { [COSTLINE_USAGE_MISSING]: true }) };
}

function streamObserver(call: ModelCall): StreamObserver {
  let stop: Attributes = {};
  let usage: Attributes = {};
  return {
    event(value) {
      call.firstChunk();
      const event = fields(value);
      const messageStop = fields(event?.['messageStop']);
      if (messageStop) stop = stopReasonAttributes(messageStop['stopReason']);
      const metadata = fields(event?.['metadata']);
      if (metadata) usage = converseUsageAttributes(metadata['usage']);
    },
    done() {
      call.succeed(withUsage(stop, usage));
    },
    error(error) {
      call.fail(error, stop);
    },
  };
}
