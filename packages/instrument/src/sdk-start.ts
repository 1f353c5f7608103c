/**
 * Starts the OpenTelemetry Node SDK the way `@costline/instrument/register` does: OTLP/HTTP
 * protobuf trace export (endpoint, headers and timeouts from the standard `OTEL_EXPORTER_OTLP_*`
 * variables), a batch span processor behind the Costline span processor, the LLM SDK
 * instrumentations, and flush on exit. `OTEL_SDK_DISABLED=true` turns it into a no-op.
 *
 * Traces only: the SDK's default metric and log exporters are not started unless
 * `OTEL_METRICS_EXPORTER` / `OTEL_LOGS_EXPORTER` ask for them, because a Costline collector
 * accepts traces only.
 *
 * One SDK per process, kept on `globalThis`, so a second copy of this package (CommonJS and ESM
 * builds side by side) finds and reuses the first.
 *
 * @module
 */

import { register as registerLoader } from 'node:module';
import { diag } from '@opentelemetry/api';
import { getBooleanFromEnv, getStringFromEnv } from '@opentelemetry/core';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import type { Instrumentation } from '@opentelemetry/instrumentation';
import { NodeSDK, type NodeSDKConfiguration } from '@opentelemetry/sdk-node';
import { BatchSpanProcessor, type SpanExporter, type SpanProcessor } from '@opentelemetry/sdk-trace';
import { installExitHooks, type ExitHooks } from './exit-hooks.ts';
import { costlineInstrumentations, INSTRUMENTED_MODULES } from './instrumentations.ts';
import { createCostlineSpanProcessor } from './span-processor.ts';

export interface StartOptions {
  /** Overrides `OTEL_SERVICE_NAME`. */
  serviceName?: string;
  /** Replaces the OTLP/HTTP protobuf exporter (e.g. an in-memory exporter in tests). */
  traceExporter?: SpanExporter;
  /** More instrumentations (HTTP, databases…), started with Costline's. */
  instrumentations?: Instrumentation[];
  /** Flush on `beforeExit`, `SIGTERM` and `SIGINT` (see `exit-hooks.ts`). @default true */
  exitHooks?: boolean;
  /** Bound on the flush when a signal ends the process. @default 5000 */
  exitTimeoutMillis?: number;
}

interface Running {
  readonly sdk: NodeSDK;
  readonly processor: SpanProcessor;
  readonly hooks: ExitHooks | undefined;
}

const RUNNING = Symbol.for('@costline/instrument.sdk');
const LOADER = Symbol.for('@costline/instrument.esm-loader');
type GlobalSlots = { [RUNNING]?: Running; [LOADER]?: true };
const slots = globalThis as GlobalSlots;

/** Starts the SDK once; returns false when disabled (`OTEL_SDK_DISABLED`) or already started. */
export function startCostline(options: StartOptions = {}): boolean {
  if (getBooleanFromEnv('OTEL_SDK_DISABLED')) return false;
  if (slots[RUNNING]) return false;
  try {
    registerEsmLoader();
    const processor = new BatchSpanProcessor({ exporter: options.traceExporter ?? new OTLPTraceExporter() });
    const config: Partial<NodeSDKConfiguration> = {
      spanProcessors: [createCostlineSpanProcessor(), processor],
      instrumentations: [...costlineInstrumentations(), ...(options.instrumentations ?? [])],
      ...(options.serviceName !== undefined ? { serviceName: options.serviceName } : undefined),
      ...(getStringFromEnv('OTEL_METRICS_EXPORTER') === undefined ? { metricReaders: [] } : undefined),
      ...(getStringFromEnv('OTEL_LOGS_EXPORTER') === undefined ? { logRecordProcessors: [] } : undefined),
    };
    const sdk = new NodeSDK(config);
    sdk.start();
    const hooks =
      options.exitHooks === false
        ? undefined
        : installExitHooks({
            flush: () => processor.forceFlush(),
            shutdown: () => sdk.shutdown(),
            timeoutMillis: options.exitTimeoutMillis ?? 5000,
          });
    slots[RUNNING] = { sdk, processor, hooks };
    return true;
  } catch (error) {
    diag.error('@costline/instrument: could not start the OpenTelemetry SDK', error);
    return false;
  }
}

/** Exports the spans ended so far. Resolves (never rejects) when done or when nothing runs. */
export async function forceFlush(): Promise<void> {
  try {
    await slots[RUNNING]?.processor.forceFlush();
  } catch (error) {
    diag.warn('@costline/instrument: flush failed', error);
  }
}

/** Flushes and stops the SDK; call before `process.exit()`. Spans ended later are dropped. */
export async function shutdown(): Promise<void> {
  const running = slots[RUNNING];
  if (!running) return;
  delete slots[RUNNING];
  running.hooks?.remove();
  try {
    await running.sdk.shutdown();
  } catch (error) {
    diag.warn('@costline/instrument: shutdown failed', error);
  }
}

/**
 * ESM applications load `openai` through the ESM loader, which require hooks never see: the
 * import-in-the-middle loader lets the instrumentations patch those modules too. It is limited to
 * the modules Costline patches, so the rest of the application loads untouched. `startCostline()`
 * calls it; an application running its own NodeSDK calls it before importing the LLM SDKs. Once
 * per process.
 */
export function registerEsmLoader(): void {
  if (slots[LOADER]) return;
  slots[LOADER] = true;
  try {
    registerLoader('@opentelemetry/instrumentation/hook.mjs', import.meta.url, {
      data: { include: [...INSTRUMENTED_MODULES] },
    });
  } catch (error) {
    diag.warn(
      '@costline/instrument: ESM loader hook not registered; ESM imports of LLM SDKs stay unpatched',
      error,
    );
  }
}
