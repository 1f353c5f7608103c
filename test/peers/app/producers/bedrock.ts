/**
 * The contrib `@opentelemetry/instrumentation-aws-sdk` 0.79 on `@aws-sdk/client-bedrock-runtime`
 * (Converse). The provider simulator speaks no Bedrock, so this producer answers Converse itself
 * from a loopback endpoint — the one edge mocked, with Bedrock's JSON response shape; the SDK,
 * its middleware and the instrumentation are all real. `x-sim-fault: 429` answers a
 * ThrottlingException. ConverseStream (binary event-stream framing) is not covered.
 *
 * @module
 */

import { createServer } from 'node:http2';
import type { AddressInfo } from 'node:net';
import { createRequire } from 'node:module';
import type * as BedrockTypes from '@aws-sdk/client-bedrock-runtime';
import { registerInstrumentations } from '@opentelemetry/instrumentation';
import { AwsInstrumentation } from '@opentelemetry/instrumentation-aws-sdk';
import type { Scenario } from '../scenario.ts';
import type { Producer } from './producer.ts';

const require = createRequire(import.meta.url);

/**
 * Serves `POST /model/{id}/converse` over cleartext HTTP/2 (the Bedrock runtime client's default
 * handler is HTTP/2), answering each scenario's usage (Bedrock field names).
 */
async function startConverseEndpoint(scenarios: Map<string, Scenario>): Promise<string> {
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      const s = scenarios.get(String(req.headers['x-peer-scenario']));
      if (!s || s.fault === '429') {
        res.writeHead(429, { 'content-type': 'application/json', 'x-amzn-errortype': 'ThrottlingException' });
        res.end(JSON.stringify({ message: 'Too many requests, please wait before trying again.' }));
        return;
      }
      const body = {
        output: { message: { role: 'assistant', content: [{ text: 'Refunds within 30 days.' }] } },
        stopReason: 'end_turn',
        usage: s.usage,
        metrics: { latencyMs: 12 },
      };
      res.writeHead(200, { 'content-type': 'application/json', 'x-amzn-requestid': 'peer-request' });
      res.end(JSON.stringify(body));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  server.unref();
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

export const bedrock: Producer = async (tracing) => {
  registerInstrumentations({
    tracerProvider: tracing.provider,
    instrumentations: [new AwsInstrumentation()],
  });
  const sdk = require('@aws-sdk/client-bedrock-runtime') as typeof BedrockTypes;
  const scenarios = new Map<string, Scenario>();
  const endpoint = await startConverseEndpoint(scenarios);
  const client = new sdk.BedrockRuntimeClient({
    region: 'us-east-1',
    endpoint,
    maxAttempts: 1,
    credentials: { accessKeyId: 'peer', secretAccessKey: 'peer' },
  });
  let current = '';
  // Scenarios run one at a time: the endpoint learns which one a request is for from this header.
  client.middlewareStack.add(
    (next) => (args) => {
      (args.request as { headers: Record<string, string> }).headers['x-peer-scenario'] = current;
      return next(args);
    },
    { step: 'build', name: 'peerScenarioHeader' },
  );
  return async (s) => {
    scenarios.set(s.id, s);
    current = s.id;
    const command = new sdk.ConverseCommand({
      modelId: s.model,
      messages: [{ role: 'user', content: [{ text: 'Summarise our refund policy.' }] }],
    });
    await client.send(command);
  };
};
