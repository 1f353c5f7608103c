/**
 * Renders the surface report as a terminal table.
 *
 * @module
 */

import type { SurfaceReport } from './surface-report.ts';

export function renderReport(rows: SurfaceReport[], since: Date, unpriced: UnpricedModel[]): string {
  const out: string[] = [];
  out.push(`Costline report — since ${since.toISOString().replace('T', ' ').slice(0, 16)} UTC`);
  if (rows.length === 0) {
    out.push('', 'No actions or model calls in this window.');
    return `${out.join('\n')}\n`;
  }
  const header = [
    'surface',
    'actions',
    'success',
    'cost/success',
    'total cost',
    'failed cost',
    'p50 ms',
    'p95 ms',
    'p99 ms',
    'input tok',
    'output tok',
    'cache share',
    'app cache',
  ];
  const body = rows.map((r) => [
    r.surface,
    String(r.actions),
    pct(r.successRate) + (r.unknown > 0 ? ` (+${r.unknown} unknown)` : ''),
    r.costPerSuccessUsd === null ? '—' : usd(r.costPerSuccessUsd, 6),
    usd(r.totalCostUsd, 4),
    usd(r.failedActionCostUsd, 4),
    ms(r.latencyMs?.p50),
    ms(r.latencyMs?.p95),
    ms(r.latencyMs?.p99),
    String(r.inputTokens),
    String(r.outputTokens),
    pct(r.promptCacheShare),
    pct(r.appCacheHitRate),
  ]);
  out.push('', ...table(header, body));
  out.push('', 'Model mix (calls, cost):');
  for (const r of rows) {
    const mix = r.models.map((m) => `${m.model} ${m.calls} (${usd(m.costUsd, 4)})`).join(', ');
    out.push(`  ${r.surface}: ${mix || '—'}`);
  }
  if (unpriced.length > 0) {
    out.push('', 'Unpriced models (stored with priced = false, not counted as $0):');
    for (const u of unpriced) out.push(`  ${u.provider || '?'} / ${u.model || '?'}: ${u.calls} calls`);
  }
  return `${out.join('\n')}\n`;
}

export interface UnpricedModel {
  provider: string;
  model: string;
  calls: number;
}

function table(header: string[], rows: string[][]): string[] {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]): string =>
    cells.map((c, i) => (i === 0 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0))).join('  ');
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)];
}

function usd(decimal: string, places: number): string {
  const [int = '0', frac = ''] = decimal.replace('-', '').split('.');
  const neg = decimal.startsWith('-');
  // Round half-even on the decimal string, so display never goes through a double.
  const digits = BigInt(int + frac.padEnd(12, '0').slice(0, 12));
  const unit = 10n ** BigInt(12 - places);
  const q = digits / unit;
  const r = digits % unit;
  const rounded = 2n * r > unit || (2n * r === unit && q % 2n === 1n) ? q + 1n : q;
  const s = rounded.toString().padStart(places + 1, '0');
  return `${neg ? '-' : ''}$${s.slice(0, -places)}.${s.slice(-places)}`;
}

function pct(v: number | null): string {
  return v === null ? '—' : `${(v * 100).toFixed(1)}%`;
}

function ms(v: number | undefined): string {
  return v === undefined ? '—' : v.toFixed(0);
}
