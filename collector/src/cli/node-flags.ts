/**
 * The Node.js flags the collector service runs with: the Docker image's entrypoint, `pnpm costline`
 * and the benchmarks pass them (test/dashboards/docker.test.ts checks that they agree). They are
 * process flags, read when V8 creates its heap: `v8.setFlagsFromString` at startup changes nothing.
 *
 * `--max-semi-space-size=64` (MiB; Node 22's default is 16): ingest allocates fast and almost all
 * of it dies young (decoded spans, call facts, rows once written as text), so the young generation
 * is collected (scavenged) every 25 ms or so, and each collection copies what is still alive: a
 * request's spans in flight, calls waiting for their action. With four times the space, a quarter
 * as many collections copy about as much each — scavenge time in a 330,000-span end-to-end run fell
 * from 487 to 259 ms (224 against 74 collections), the ingest thread's CPU from 15.4 to ~13.5
 * µs/span, measured side by side with `--trace-gc`. It costs up to 3 × 48 MiB more resident memory.
 *
 * @module
 */

export const SERVE_NODE_FLAGS = ['--max-semi-space-size=64'] as const;
