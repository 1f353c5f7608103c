/**
 * Collector settings from the environment, each also settable by a flag (flags win). Only the CLI
 * entry point calls this with `process.env`.
 *
 * @module
 */

export interface Settings {
  dataDir: string;
  clickhouseUrl: string | undefined;
  clickhouseUser: string | undefined;
  clickhousePassword: string | undefined;
  database: string;
  port: number;
  host: string;
  ingestToken: string | undefined;
  priceBook: string | undefined;
  spoolDir: string | undefined;
}

export const SETTING_FLAGS = {
  'data-dir': 'COSTLINE_DATA_DIR',
  'clickhouse-url': 'CLICKHOUSE_URL',
  'clickhouse-user': 'CLICKHOUSE_USER',
  'clickhouse-password': 'CLICKHOUSE_PASSWORD',
  'clickhouse-database': 'CLICKHOUSE_DATABASE',
  port: 'COSTLINE_PORT',
  host: 'COSTLINE_HOST',
  'ingest-token': 'COSTLINE_INGEST_TOKEN',
  'price-book': 'COSTLINE_PRICE_BOOK',
  'spool-dir': 'COSTLINE_SPOOL_DIR',
} as const;

export class SettingsError extends Error {
  readonly code = 'SETTINGS_INVALID';
}

export function readSettings(env: NodeJS.ProcessEnv, flags: Record<string, string | undefined>): Settings {
  const get = (flag: keyof typeof SETTING_FLAGS): string | undefined => {
    const v = flags[flag] ?? env[SETTING_FLAGS[flag]];
    return v === undefined || v === '' ? undefined : v;
  };
  const portText = get('port') ?? '4318';
  const port = Number(portText);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new SettingsError(`COSTLINE_PORT (--port) must be a port number, got ${JSON.stringify(portText)}`);
  }
  const database = get('clickhouse-database') ?? 'costline';
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(database)) {
    throw new SettingsError(
      `CLICKHOUSE_DATABASE must be a plain identifier, got ${JSON.stringify(database)}`,
    );
  }
  return {
    dataDir: get('data-dir') ?? '.costline',
    clickhouseUrl: get('clickhouse-url'),
    clickhouseUser: get('clickhouse-user'),
    clickhousePassword: get('clickhouse-password'),
    database,
    port,
    host: get('host') ?? '127.0.0.1',
    ingestToken: get('ingest-token'),
    priceBook: get('price-book'),
    spoolDir: get('spool-dir'),
  };
}
