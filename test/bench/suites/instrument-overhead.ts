/**
 * Instrumentation overhead: CPU per `openai` chat call with (a) no instrumentation, (b) Costline,
 * (c) @opentelemetry/instrumentation-openai, (d) @traceloop/instrumentation-openai, (e)
 * @arizeai/openinference-instrumentation-openai, (f) one hand-made span with Costline's attributes
 * (the floor of any span-based instrumentation). Every configuration runs in its own process with
 * the same SDK set-up and exporter (see `../instrument-overhead/worker.ts`), against a mock in a
 * further process; batches are interleaved round-robin, in fresh processes per epoch (the first
 * round of each is warm-up), and the medians over all batches are reported. Added CPU = median(config) − median(none); CPU is the worker's main
 * thread (`process.threadCpuUsage`), where the SDK, the instrumentation and the exporter run.
 *
 * `BENCH_CONFIGS=none,costline,floor` runs a subset (for iterating on one configuration).
 *
 * Metrics: `sdk.cpu_us.<config>`, `sdk.added_cpu_us.<config>`, `sdk.spans_per_call.<config>`,
 * `sdk.ours_vs_floor.ratio` (target ≤ 1.25) and `sdk.ours_vs_best_peer.ratio` (target < 1).
 *
 * @module
 */

import { fork, spawn, type ChildProcess } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Metric, Suite } from '../metric.ts';

const ALL_CONFIGS = ['none', 'costline', 'otel', 'traceloop', 'openinference', 'floor'] as const;
type Config = (typeof ALL_CONFIGS)[number];
const CONFIGS: readonly Config[] = process.env['BENCH_CONFIGS']
  ? ALL_CONFIGS.filter((c) => process.env['BENCH_CONFIGS']?.split(',').includes(c))
  : ALL_CONFIGS;
const DIR = join(dirname(fileURLToPath(import.meta.url)), '..', 'instrument-overhead');
/** What a configuration's spans hold, by attribute-key fragment, for the table's note. */
const CAPTURE: readonly [string, readonly string[]][] = [
  ['tokens', ['input_tokens', 'prompt_tokens', 'token_count.prompt']],
  ['cache', ['cache']],
  ['reasoning', ['reasoning']],
];

interface Reply {
  ready?: true;
  cpuUsPerCall?: number;
  spans?: number;
  keys?: string[];
}

interface Worker {
  readonly config: Config;
  request(message: object): Promise<Reply>;
  stop(): void;
}

function startMock(): Promise<{ url: string; child: ChildProcess }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(DIR, 'mock.ts')], { stdio: ['ignore', 'pipe', 'inherit'] });
    child.once('error', reject);
    child.stdout?.once('data', (chunk: Buffer) => resolve({ url: chunk.toString().trim(), child }));
  });
}

function startWorker(config: Config, url: string): Promise<Worker> {
  const child = fork(join(DIR, 'worker.ts'), [config, url], {
    execArgv: ['--conditions=@costline/source'],
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  });
  let pending: { resolve: (reply: Reply) => void; reject: (error: Error) => void } | undefined;
  child.on('message', (reply: Reply) => pending?.resolve(reply));
  child.on('exit', (code) => pending?.reject(new Error(`worker ${config} exited (${String(code)})`)));
  const request = (message: object): Promise<Reply> =>
    new Promise((resolve, reject) => {
      pending = { resolve, reject };
      if (Object.keys(message).length > 0) child.send(message);
    });
  return request({}).then(() => ({
    config,
    request,
    stop: () => {
      child.send({ stop: true });
      setTimeout(() => child.kill(), 2000).unref();
    },
  }));
}

const median = (xs: readonly number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? (s[mid] ?? NaN) : ((s[mid - 1] ?? NaN) + (s[mid] ?? NaN)) / 2;
};

const suite: Suite = {
  name: 'instrument-overhead',
  async run({ full, log }) {
    // Many short interleaved batches, in fresh processes per epoch: this machine is shared, and a
    // process can sit on a busy core for its whole life, so both rounds and processes are sampled.
    const epochs = full ? 5 : 3;
    const roundsPerEpoch = full ? 16 : 7;
    const callsPerBatch = full ? 300 : 100;
    const mock = await startMock();
    let workers: Worker[] = [];
    try {
      const samples = new Map<Config, number[]>(CONFIGS.map((c) => [c, []]));
      const last = new Map<Config, Reply>();
      for (let epoch = 0; epoch < epochs; epoch++) {
        workers = await Promise.all(CONFIGS.map((config) => startWorker(config, mock.url)));
        for (let round = 0; round < roundsPerEpoch; round++) {
          // Rotate the order each round so no configuration always runs first or last.
          const order = workers.map((_, i) => workers[(i + round) % workers.length]!);
          for (const worker of order) {
            const reply = await worker.request({ run: callsPerBatch });
            // The first round of each process warms it up (JIT, connections).
            if (round > 0) samples.get(worker.config)?.push(reply.cpuUsPerCall ?? NaN);
            last.set(worker.config, reply);
          }
        }
        for (const worker of workers) worker.stop();
        workers = [];
        log(`epoch ${epoch + 1}/${epochs}`);
      }
      const cpu = new Map(CONFIGS.map((c) => [c, median(samples.get(c) ?? [])]));
      // Median of each configuration over the rounds, minus that of `none`. (Per-round paired
      // differences were tried: on a loaded machine they carry the noise of two processes each.)
      const base = cpu.get('none') ?? NaN;
      const added = (c: Config): number => (cpu.get(c) ?? NaN) - base;
      const totalCalls = roundsPerEpoch * callsPerBatch;
      const metrics: Metric[] = [];
      for (const c of CONFIGS) {
        const reply = last.get(c);
        const captured = CAPTURE.filter(([, parts]) =>
          reply?.keys?.some((key) => parts.some((part) => key.includes(part))),
        ).map(([what]) => what);
        metrics.push({
          name: `sdk.cpu_us.${c}`,
          value: cpu.get(c) ?? NaN,
          unit: 'us',
          note: 'CPU per call, median',
        });
        if (c !== 'none') {
          metrics.push({
            name: `sdk.added_cpu_us.${c}`,
            value: added(c),
            unit: 'us',
            note: `over none; records: ${captured.join(', ') || 'no usage'}`,
          });
        }
        metrics.push({
          name: `sdk.spans_per_call.${c}`,
          value: (reply?.spans ?? 0) / totalCalls,
          unit: 'spans',
        });
      }
      const peers = (['otel', 'traceloop', 'openinference'] as const).map(added);
      metrics.push({
        name: 'sdk.ours_vs_floor.ratio',
        value: added('costline') / added('floor'),
        unit: 'ratio',
        note: 'added CPU, Costline / hand-made span (target ≤ 1.25)',
      });
      metrics.push({
        name: 'sdk.ours_vs_best_peer.ratio',
        value: added('costline') / Math.min(...peers),
        unit: 'ratio',
        note: 'added CPU, Costline / cheapest peer (target < 1)',
      });
      return metrics;
    } finally {
      for (const worker of workers) worker.stop();
      mock.child.kill();
    }
  },
};
export default suite;
