/**
 * The pricing commands of `costline`: `reprice` (against the store, or through the running collector
 * that holds it) and `prices import-litellm`. Kept apart from commands.ts, which wires the rest.
 *
 * @module
 */

import { readFile, writeFile } from 'node:fs/promises';
import { createPricer, importLitellm, loadPriceBook, parsePriceBook } from '@costline/pricing';
import type { PriceBook, Pricer } from '@costline/pricing';
import { reprice } from '../price/reprice.ts';
import type { RepriceResult } from '../price/reprice.ts';
import { createStoreClient, storeIdentity } from '../store/client.ts';
import { migrate } from '../store/migrate.ts';
import type { Io } from './commands.ts';
import { UsageError } from './commands.ts';
import type { Settings } from './settings.ts';

/** The pricer for a command: with the book `COSTLINE_PRICE_BOOK` / `--price-book` names, if any. */
export function pricerFor(settings: Settings): Pricer {
  const book: PriceBook | undefined = settings.priceBook ? loadPriceBook(settings.priceBook) : undefined;
  return createPricer({ priceBook: book });
}

/** An ISO 8601 date (a bare date is 00:00 UTC) or a time ago: 30m, 12h, 7d, 2w. */
function parseDate(text: string | undefined, flag: string): Date | undefined {
  if (text === undefined) return undefined;
  const ago = /^(\d+)([mhdw])$/.exec(text);
  if (ago) {
    const unit = { m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 }[ago[2] as 'm' | 'h' | 'd' | 'w'];
    return new Date(Date.now() - Number(ago[1]) * unit);
  }
  const d = new Date(/^\d{4}-\d{2}-\d{2}$/.test(text) ? `${text}T00:00:00Z` : text);
  if (Number.isNaN(d.getTime())) {
    throw new UsageError(`${flag} ${JSON.stringify(text)}: use an ISO 8601 date or 30m, 12h, 7d, 2w`);
  }
  return d;
}

export interface RepriceFlags {
  from: string | undefined;
  to: string | undefined;
  dryRun: boolean;
  json: boolean;
}

export async function repriceCommand(settings: Settings, io: Io, flags: RepriceFlags): Promise<number> {
  const from = parseDate(flags.from, '--from');
  if (from === undefined) {
    throw new UsageError(
      'usage: costline reprice --from DATE [--to DATE] [--price-book FILE] [--dry-run] [--json]',
    );
  }
  const to = parseDate(flags.to, '--to');
  if (to !== undefined && to <= from) throw new UsageError('--to must be after --from');
  const bookText = settings.priceBook ? await readFile(settings.priceBook, 'utf8') : undefined;
  // Validate here too, so a bad book fails before anything is sent or opened.
  if (bookText !== undefined) parsePriceBook(bookText, settings.priceBook);

  const collectorUrl = `http://${settings.host === '0.0.0.0' ? '127.0.0.1' : settings.host}:${settings.port}`;
  const store = {
    dataDir: settings.dataDir,
    url: settings.clickhouseUrl,
    user: settings.clickhouseUser,
    password: settings.clickhousePassword,
    database: settings.database,
  };
  let result: RepriceResult;
  if (!settings.clickhouseUrl && (await collectorHolds(collectorUrl, storeIdentity(store)))) {
    const res = await fetch(new URL('/api/reprice', collectorUrl), {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        ...(settings.ingestToken ? { authorization: `Bearer ${settings.ingestToken}` } : {}),
      },
      body: JSON.stringify({
        from: from.toISOString(),
        to: to?.toISOString(),
        dryRun: flags.dryRun,
        priceBook: bookText,
        priceBookName: settings.priceBook,
      }),
    });
    const text = await res.text();
    if (!res.ok) {
      io.stderr(`reprice through the collector at ${collectorUrl} failed (${res.status}): ${text}\n`);
      return res.status === 400 ? 2 : 1;
    }
    result = JSON.parse(text) as RepriceResult;
  } else {
    const client = createStoreClient(store);
    try {
      await migrate(client, settings.database);
      result = await reprice(client, settings.database, pricerFor(settings), {
        from,
        to,
        dryRun: flags.dryRun,
      });
    } catch (e) {
      const msg = (e as Error).message;
      if (/lock/i.test(msg)) {
        throw new Error(
          `the store in ${settings.dataDir} is held by another process, and no collector holding it answers at ${collectorUrl} (set COSTLINE_PORT to its port)`,
          { cause: e },
        );
      }
      throw e;
    } finally {
      await client.close();
    }
  }
  io.stdout(flags.json ? `${JSON.stringify(result, null, 2)}\n` : renderReprice(result));
  return 0;
}

function usd(amount: string): string {
  return amount.startsWith('-') ? `-$${amount.slice(1)}` : `$${amount}`;
}

export function renderReprice(r: RepriceResult): string {
  const lines = [
    `${r.dryRun ? 'Dry run — nothing written. ' : ''}Re-priced calls from ${r.from}${r.to ? ` to ${r.to}` : ''}:`,
    `  calls examined   ${r.calls}`,
    `  calls changed    ${r.changed}${r.dryRun ? ' (would get a delta row)' : ' (a delta row each)'}`,
    `  actions changed  ${r.actionsChanged}`,
    `  unpriceable      ${r.unpriceable} (kept at their stored cost)`,
    `  cost before      ${usd(r.oldUsd)}`,
    `  cost after       ${usd(r.newUsd)}`,
    `  delta            ${usd(r.deltaUsd)}`,
  ];
  if (r.byModel.length > 0) {
    lines.push('', 'By model (calls, before → after, delta):');
    for (const m of r.byModel) {
      lines.push(
        `  ${m.provider}/${m.model}: ${m.calls}, ${usd(m.oldUsd)} → ${usd(m.newUsd)}, ${usd(m.deltaUsd)}`,
      );
    }
  }
  return `${lines.join('\n')}\n`;
}

async function collectorHolds(url: string, identity: string): Promise<boolean> {
  try {
    const res = await fetch(new URL('/healthz', url), { signal: AbortSignal.timeout(500) });
    const held = res.headers.get('x-costline-store');
    return res.ok && held !== null && decodeURIComponent(held) === identity;
  } catch {
    return false;
  }
}

export async function pricesCommand(
  io: Io,
  args: string[],
  flags: { out: string | undefined; effectiveFrom: string | undefined },
): Promise<number> {
  const [sub, file] = args;
  if (sub !== 'import-litellm' || !file) {
    throw new UsageError(
      'usage: costline prices import-litellm FILE [--out BOOK.yaml] [--effective-from YYYY-MM-DD]',
    );
  }
  if (flags.effectiveFrom !== undefined && !/^\d{4}-\d{2}-\d{2}$/.test(flags.effectiveFrom)) {
    throw new UsageError(`--effective-from ${JSON.stringify(flags.effectiveFrom)}: use YYYY-MM-DD`);
  }
  const result = importLitellm(await readFile(file, 'utf8'), file, flags.effectiveFrom);
  // The output must load as a price book: check before anyone relies on it.
  parsePriceBook(result.text, flags.out ?? '(import)');
  if (flags.out) await writeFile(flags.out, result.text);
  else io.stdout(result.text);
  io.stderr(`imported ${result.imported} models, skipped ${result.skipped.length}\n`);
  // Every model left out for a bad price is named, then the first 20 of the others (a LiteLLM file
  // holds many models without a per-token price: image and audio models).
  const bad = result.skipped.filter((s) => s.badPrice);
  const others = result.skipped.filter((s) => !s.badPrice);
  for (const s of [...bad, ...others.slice(0, 20)]) io.stderr(`  skipped ${s.key}: ${s.reason}\n`);
  if (others.length > 20) io.stderr(`  … and ${others.length - 20} more\n`);
  return 0;
}
