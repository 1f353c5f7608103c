#!/usr/bin/env node
/**
 * `costline` — the collector service and its store commands. The only module that reads
 * `process.env`, parses argv and handles signals.
 *
 * @module
 */

import { parseArgs } from 'node:util';
import { importCommand, migrateCommand, price, report, serve, sql, UsageError } from './commands.ts';
import type { Io } from './commands.ts';
import { pricesCommand, repriceCommand } from './pricing-commands.ts';
import { readSettings, SETTING_FLAGS, SettingsError } from './settings.ts';

const USAGE = `usage: costline <command> [options]

commands:
  serve                          run the collector (OTLP/HTTP on COSTLINE_PORT, default 4318)
  price                          price usage: JSON object or array on stdin, JSON on stdout
  sql "<SQL>" [--format F]       query the store (F: table, JSONEachRow, CSV, TSV, JSON, …;
                                 default: the query's own FORMAT clause, else table)
  report [--since 7d] [--surface S] [--json]
                                 cost per successful action and the rest, per surface
  import FILE…                   import OTLP JSON lines (one ExportTraceServiceRequest per line)
  migrate                        apply schema migrations
  reprice --from DATE [--to DATE] [--price-book FILE] [--dry-run] [--json]
                                 recompute stored costs in a window (appends delta rows)
  prices import-litellm FILE [--out BOOK.yaml] [--effective-from DATE]
                                 convert LiteLLM's model_prices_and_context_window.json to a price book

settings (environment, or the flag beside it):
${Object.entries(SETTING_FLAGS)
  .map(([flag, env]) => `  ${env.padEnd(24)} --${flag}`)
  .join('\n')}
`;

const io: Io = {
  stdout: (s) => process.stdout.write(s),
  stderr: (s) => process.stderr.write(s),
  stderrIsTTY: process.stderr.isTTY,
  stdin: async () => {
    const chunks: Buffer[] = [];
    for await (const c of process.stdin) chunks.push(c as Buffer);
    return Buffer.concat(chunks).toString('utf8');
  },
};

async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      ...Object.fromEntries(Object.keys(SETTING_FLAGS).map((f) => [f, { type: 'string' as const }])),
      format: { type: 'string' },
      since: { type: 'string', default: '7d' },
      surface: { type: 'string' },
      json: { type: 'boolean', default: false },
      from: { type: 'string' },
      to: { type: 'string' },
      'dry-run': { type: 'boolean', default: false },
      out: { type: 'string' },
      'effective-from': { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  const [command, ...rest] = positionals;
  if (values.help || !command) {
    io.stdout(USAGE);
    return command || values.help ? 0 : 2;
  }
  const settings = readSettings(process.env, values as unknown as Record<string, string | undefined>);
  switch (command) {
    case 'serve': {
      const ac = new AbortController();
      process.once('SIGINT', () => ac.abort());
      process.once('SIGTERM', () => ac.abort());
      return serve(settings, io, ac.signal);
    }
    case 'price':
      return price(settings, io);
    case 'sql':
      return sql(settings, io, rest[0], values.format);
    case 'report':
      return report(settings, io, { since: values.since, surface: values.surface, json: values.json });
    case 'import':
      return importCommand(settings, io, rest);
    case 'migrate':
      return migrateCommand(settings, io);
    case 'reprice':
      return repriceCommand(settings, io, {
        from: values.from,
        to: values.to,
        dryRun: values['dry-run'],
        json: values.json,
      });
    case 'prices':
      return pricesCommand(io, rest, { out: values.out, effectiveFrom: values['effective-from'] });
    default:
      throw new UsageError(`unknown command ${JSON.stringify(command)}\n\n${USAGE}`);
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    const err = e as Error;
    process.stderr.write(`costline: ${err.message}\n`);
    process.exitCode =
      err instanceof UsageError ||
      err instanceof SettingsError ||
      err.name === 'PriceBookError' ||
      err.name === 'TypeError'
        ? 2
        : 1;
  },
);
