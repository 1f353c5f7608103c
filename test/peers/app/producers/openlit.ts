/**
 * OpenLIT 1.15 as its docs set it up: `openlit.init({ otlpEndpoint })` creates its own tracer provider
 * and OTLP/HTTP (JSON) exporter, registers it globally, and patches openai and the Anthropic SDK
 * (loaded afterwards with `require`). The Anthropic SDK's own tracing is turned off by the test.
 *
 * @module
 */

import { trace } from '@opentelemetry/api';
import openlitCjs from 'openlit';
import { loadAnthropic, loadOpenAI, sdkCall, sdkClients } from '../sdk-calls.ts';
import type { OwnTracingProducer } from './producer.ts';

/** A CommonJS module with `exports.default`: the ESM default import is `module.exports` itself. */
const openlit = openlitCjs.default;

export const openlitProducer: OwnTracingProducer = () => {
  openlit.init({
    applicationName: 'peer-openlit',
    otlpEndpoint: process.env['COLLECTOR_URL'] ?? '',
    disableBatch: true,
    disableMetrics: true,
    disableEvents: true,
    captureMessageContent: false,
  });
  const clients = sdkClients(loadOpenAI(), loadAnthropic());
  return { run: (s) => sdkCall(clients, s), provider: trace.getTracerProvider() };
};
