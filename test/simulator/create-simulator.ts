/**
 * `createProviderSimulator(options)`: a local HTTP server speaking the OpenAI Chat Completions and
 * Anthropic Messages APIs, for the real SDKs to talk to through `baseURL` (OpenAI: `${url}/v1`,
 * Anthropic: `url`). This module owns the listening socket and the shared state; requests are
 * handled in `request-handler.ts`.
 *
 * @module
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createAnthropicPromptCache } from './anthropic-prompt-cache.ts';
import { createFaultController } from './faults.ts';
import { createOpenAIPromptCache } from './openai-prompt-cache.ts';
import { createRequestHandler } from './request-handler.ts';
import { createStatsRecorder } from './stats.ts';
import type { ProviderSimulator, SimulatorOptions } from './types.ts';

function nonNegative(key: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!(Number.isFinite(value) && value >= 0)) {
    throw new Error(`createProviderSimulator: ${key} must be a finite number >= 0, got ${String(value)}`);
  }
  return value;
}

export function createProviderSimulator(options: SimulatorOptions = {}): ProviderSimulator {
  const now = options.now ?? Date.now;
  const retryAfterMs =
    options.retryAfterMs === null ? null : nonNegative('retryAfterMs', options.retryAfterMs, 10);
  const maxRecords = nonNegative('maxRequestRecords', options.maxRequestRecords, 1000);
  const openaiCache = createOpenAIPromptCache({
    now,
    ttlMs: nonNegative('openaiCacheTtlMs', options.openaiCacheTtlMs, 600_000),
  });
  const anthropicCache = createAnthropicPromptCache({ now });
  const bedrockCache = new Set<string>();
  const faults = createFaultController(options.faults ?? {});
  const stats = createStatsRecorder(maxRecords);
  const handle = createRequestHandler({
    openaiCache,
    anthropicCache,
    bedrockCache,
    faults,
    stats,
    now,
    latencyMs: nonNegative('latencyMs', options.latencyMs, 0),
    tokenDelayMs: nonNegative('tokenDelayMs', options.tokenDelayMs, 0),
    retryAfterMs,
  });

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      // A bug in the simulator, not a simulated fault: make it loud in the test output.
      console.error('provider simulator: request failed', error);
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' }).end(String(error));
      else res.destroy();
    });
  });
  let address: { url: string; port: number } | undefined;

  return {
    async start() {
      if (address) return address;
      const host = options.host ?? '127.0.0.1';
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(nonNegative('port', options.port, 0), host, () => {
          server.off('error', reject);
          resolve();
        });
      });
      const { port } = server.address() as AddressInfo;
      const urlHost = host.includes(':') ? `[${host}]` : host;
      address = { url: `http://${urlHost}:${port}`, port };
      return address;
    },
    async stop() {
      if (!server.listening) return;
      address = undefined;
      const closed = new Promise<void>((resolve, reject) =>
        server.close((error) => (error ? reject(error) : resolve())),
      );
      server.closeAllConnections();
      await closed;
    },
    stats: () => stats.snapshot(),
    setFaults: (settings) => faults.set(settings),
    reset() {
      openaiCache.clear();
      anthropicCache.clear();
      bedrockCache.clear();
      stats.clear();
      faults.set({});
    },
    get url() {
      if (!address) throw new Error('provider simulator: url is not available before start()');
      return address.url;
    },
  };
}
