/**
 * `pnpm bench [-- --full] [--json] [--only name,…]`: runs every suite in `suites/` (one file per
 * suite, default export a {@link Suite}), then prints a table, or JSON lines
 * `{"name":…,"value":…,"unit":…}` with `--json`. Progress goes to stderr.
 *
 * @module
 */

import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Metric, Suite } from './metric.ts';

const args = process.argv.slice(2).filter((a) => a !== '--');
const full = args.includes('--full');
const json = args.includes('--json');
const onlyArg =
  args.find((a) => a.startsWith('--only='))?.slice('--only='.length) ??
  (args.includes('--only') ? args[args.indexOf('--only') + 1] : undefined);
const only = onlyArg ? new Set(onlyArg.split(',')) : undefined;
const unknown = args.filter(
  (a, i) =>
    !['--full', '--json', '--only'].includes(a) && !a.startsWith('--only=') && args[i - 1] !== '--only',
);
if (unknown.length > 0) {
  process.stderr.write(`bench: unknown argument ${unknown[0]} (use --full, --json, --only a,b)\n`);
  process.exit(2);
}

const dir = join(dirname(fileURLToPath(import.meta.url)), 'suites');
const files = readdirSync(dir)
  .filter((f) => f.endsWith('.ts'))
  .sort();
const log = (line: string): void => {
  process.stderr.write(`[bench] ${line}\n`);
};

const results: Metric[] = [];
let failed = false;
for (const file of files) {
  const suite = ((await import(pathToFileURL(join(dir, file)).href)) as { default: Suite }).default;
  if (only && !only.has(suite.name)) continue;
  log(`${suite.name}${full ? ' (full)' : ''}…`);
  const started = performance.now();
  try {
    const metrics = await suite.run({ full, log: (l) => log(`${suite.name}: ${l}`) });
    results.push(...metrics);
    if (json) for (const m of metrics) process.stdout.write(`${JSON.stringify(m)}\n`);
  } catch (error) {
    failed = true;
    log(`${suite.name} failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  }
  log(`${suite.name} done in ${((performance.now() - started) / 1000).toFixed(1)} s`);
}

if (!json) process.stdout.write(renderTable(results));
process.exit(failed ? 1 : 0);

function renderTable(metrics: Metric[]): string {
  const rows = metrics.map((m) => [m.name, formatValue(m.value), m.unit, m.note ?? '']);
  const head = ['name', 'value', 'unit', 'note'];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (r: string[]): string =>
    r
      .map((c, i) => (i === 1 ? c.padStart(widths[i] ?? 0) : c.padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd();
  return [line(head), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n') + '\n';
}

function formatValue(v: number): string {
  if (Number.isInteger(v)) return String(v);
  const abs = Math.abs(v);
  return abs >= 100 ? v.toFixed(1) : abs >= 1 ? v.toFixed(3) : v.toPrecision(3);
}
