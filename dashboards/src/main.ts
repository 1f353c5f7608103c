/**
 * `pnpm dashboards [--cost-per-success-rise-pct N] [--failed-cost-share-pct N]
 * [--failed-cost-window-hours N]`: regenerates the committed dashboard JSON and alert rules.
 *
 * @module
 */

import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { DEFAULT_ALERT_OPTIONS } from './alert-rules.ts';
import { generatedFiles } from './generate.ts';

const { values } = parseArgs({
  options: {
    'cost-per-success-rise-pct': { type: 'string' },
    'failed-cost-share-pct': { type: 'string' },
    'failed-cost-window-hours': { type: 'string' },
  },
});
const num = (flag: keyof typeof values, fallback: number): number => {
  const raw = values[flag];
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!Number.isFinite(n) || n < 0) {
    process.stderr.write(`--${flag} must be a non-negative number, got ${JSON.stringify(raw)}\n`);
    process.exit(2);
  }
  return n;
};
const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const files = generatedFiles({
  costPerSuccessRisePct: num('cost-per-success-rise-pct', DEFAULT_ALERT_OPTIONS.costPerSuccessRisePct),
  failedCostSharePct: num('failed-cost-share-pct', DEFAULT_ALERT_OPTIONS.failedCostSharePct),
  failedCostWindowHours: num('failed-cost-window-hours', DEFAULT_ALERT_OPTIONS.failedCostWindowHours),
});
for (const [path, content] of files) {
  const target = join(root, path);
  mkdirSync(dirname(target), { recursive: true });
  writeFileSync(target, content);
  process.stdout.write(`wrote dashboards/${path}\n`);
}
