/**
 * The `costline` subcommands. Each returns its exit code; output goes to the given streams so
 * `pnpm --silent costline …` prints only the command's own output on stdout.
 *
 * @module
 */

import { priceJson } from '@costline/pricing';
import { join } from 'node:path';
import { createCollector } from '../collector.ts';
import { renderReport } from '../report/render.ts';
import type { UnpricedModel } from '../report/render.ts';
import { surfaceReport } from '../report/surface-report.ts';
import { unpricedModels } from '../report/unpriced-models.ts';
import { createStoreClient } from '../store/client.ts';
import { migrate } from '../store/migrate.ts';
import { collectorOptions, migrateOptions } from './collector-options.ts';
import { importFiles, renderImportSummary } from './import-files.ts';
import { openQueryRunner } from './open-store.ts';
import { pricerFor } from './pricing-commands.ts';
import { chooseFormat } from './query-format.ts';
import type { Settings } from './settings.ts';
import { UsageError } from './usage-error.ts';

export interface Io {
  stdout: (s: string) => void;
  stderr: (s: string) => void;
  /** Whether stderr is a terminal (progress bars only then). */
  stderrIsTTY?: boolean;
  stdin: () => Promise<string>;
}

export { UsageError };

export async function serve(settings: Settings, io: Io, signal: AbortSignal): Promise<number> {
  const collector = await createCollector({
    store: storeConfig(settings),
    port: settings.port,
    host: settings.host,
    ingestToken: settings.ingestToken,
    ...collectorOptions(settings),
    spoolDir: spoolDirOf(settings),
    spoolMaxBytes: settings.spoolMaxBytes,
    pricer: pricerFor(settings),
    log: (m) => io.stderr(`[costline] ${m}\n`),
  });
  const port = await collector.start();
  io.stderr(
    `[costline] collector listening on http://${settings.host}:${port} (OTLP/HTTP /v1/traces), store: ${settings.clickhouseUrl ?? settings.dataDir}\n`,
  );
  await new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
  io.stderr('[costline] stopping: writing out held calls\n');
  await collector.stop();
  return 0;
}

/** The outage spool of `serve`: `COSTLINE_SPOOL_DIR`, by default `spool/` in the data folder; `off` turns it off. */
export function spoolDirOf(settings: Settings): string | undefined {
  if (settings.spoolDir === 'off') return undefined;
  return settings.spoolDir ?? join(settings.dataDir, 'spool');
}

export async function price(settings: Settings, io: Io): Promise<number> {
  let pricer;
  try {
    pricer = pricerFor(settings);
  } catch (e) {
    io.stderr(`${(e as Error).message}\n`);
    return 2;
  }
  const text = await io.stdin();
  let input: unknown;
  try {
    input = JSON.parse(text);
  } catch (e) {
    io.stderr(`stdin: not JSON: ${(e as Error).message}\n`);
    return 2;
  }
  try {
    const out = Array.isArray(input)
      ? input.map((item, i) => {
          try {
            return priceJson(item, pricer);
          } catch (e) {
            throw new Error(`[${i}].${(e as Error).message}`, { cause: e });
          }
        })
      : priceJson(input, pricer);
    io.stdout(`${JSON.stringify(out, null, 2)}\n`);
    return 0;
  } catch (e) {
    io.stderr(`${(e as Error).message}\n`);
    return 2;
  }
}

/**
 * Runs one query and prints its result, in `--format` or in the query's own `FORMAT` clause (the
 * two may not disagree), else as a table (see query-format.ts).
 */
export async function sql(
  settings: Settings,
  io: Io,
  query: string | undefined,
  format: string | undefined,
): Promise<number> {
  if (!query) throw new UsageError('usage: costline sql "<SQL>" [--format table|JSONEachRow|CSV]');
  const chosen = chooseFormat(query, format);
  const runner = await openQueryRunner(settings);
  try {
    io.stdout(await runner.text(chosen.query, chosen.format));
    return 0;
  } catch (e) {
    io.stderr(`${(e as Error).message}\n`);
    return 1;
  } finally {
    await runner.close();
  }
}

export async function report(
  settings: Settings,
  io: Io,
  options: { since: string; surface?: string | undefined; json: boolean },
): Promise<number> {
  const since = parseSince(options.since);
  const runner = await openQueryRunner(settings);
  try {
    const rows = await surfaceReport(runner, {
      database: settings.database,
      since,
      surface: options.surface,
    });
    const unpriced: UnpricedModel[] = await unpricedModels(runner, settings.database, since);
    io.stdout(
      options.json
        ? `${JSON.stringify({ since, surfaces: rows, unpriced }, null, 2)}\n`
        : renderReport(rows, since, unpriced),
    );
    return 0;
  } finally {
    await runner.close();
  }
}

export async function migrateCommand(settings: Settings, io: Io): Promise<number> {
  const client = createStoreClient(storeConfig(settings));
  try {
    const r = await migrate(client, settings.database, migrateOptions(settings));
    io.stdout(
      `applied: ${r.applied.join(', ') || 'none'}; already applied: ${r.alreadyApplied.join(', ') || 'none'}\n`,
    );
    return 0;
  } finally {
    await client.close();
  }
}

/** Imports OTLP JSON lines (one ExportTraceServiceRequest per line) through the same pipeline. */
export async function importCommand(settings: Settings, io: Io, files: string[]): Promise<number> {
  if (files.length === 0) throw new UsageError('usage: costline import FILE…');
  const summary = await importFiles(settings, io, files);
  io.stdout(renderImportSummary(summary));
  return summary.rejected > 0 ? 1 : 0;
}

function storeConfig(s: Settings) {
  return {
    dataDir: s.dataDir,
    url: s.clickhouseUrl,
    user: s.clickhouseUser,
    password: s.clickhousePassword,
    database: s.database,
  };
}

export function parseSince(text: string): Date {
  const m = /^(\d+)([mhdw])$/.exec(text);
  if (m) {
    const unit = { m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 }[m[2] as 'm' | 'h' | 'd' | 'w'];
    return new Date(Date.now() - Number(m[1]) * unit);
  }
  const d = new Date(text);
  if (Number.isNaN(d.getTime()))
    throw new UsageError(`--since ${JSON.stringify(text)}: use 30m, 12h, 7d, 2w or an ISO date`);
  return d;
}
