/**
 * CLI: `node test/simulator/main.ts [--port 8787] [--host 127.0.0.1] [--latency-ms 0]
 * [--token-delay-ms 0]`. Prints the base URL on stdout and serves until SIGTERM or SIGINT.
 *
 * @module
 */
import { parseArgs } from 'node:util';
import { createProviderSimulator } from './create-simulator.ts';

function numberOption(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n))
    throw new Error(`--${name}: expected a number, got '${value}'`);
  return n;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      port: { type: 'string', default: '8787' },
      host: { type: 'string', default: '127.0.0.1' },
      'latency-ms': { type: 'string' },
      'token-delay-ms': { type: 'string' },
    },
  });
  const simulator = createProviderSimulator({
    port: numberOption('port', values.port),
    host: values.host,
    latencyMs: numberOption('latency-ms', values['latency-ms']),
    tokenDelayMs: numberOption('token-delay-ms', values['token-delay-ms']),
  });
  const { url } = await simulator.start();
  console.log(url);
  const shutdown = (): void => {
    simulator.stop().then(
      () => process.exit(0),
      (error: unknown) => {
        console.error(error);
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', shutdown);
  process.once('SIGINT', shutdown);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
