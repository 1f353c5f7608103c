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
  /** Bytes the outage spool may hold before ingest answers 503. */
  spoolMaxBytes: number;
  /** Days raw rows are kept (0: for ever). */
  ttlDays: number;
  /** Days aggregate rows are kept (0: for ever). */
  aggTtlDays: number;
  /** ClickHouse cluster name: ON CLUSTER, Replicated engines and Distributed tables. */
  cluster: string | undefined;
  maxOpenActions: number;
  actionWaitMs: number;
  maxHeldBytes: number;
  surfaceAttributes: string[];
  maxQueueRows: number;
  /** Downstream OTLP/HTTP traces endpoint receiving the spans enriched with `costline.cost.*`. */
  forwardEndpoint: string | undefined;
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
  'spool-max-mb': 'COSTLINE_SPOOL_MAX_MB',
  'ttl-days': 'COSTLINE_TTL_DAYS',
  'agg-ttl-days': 'COSTLINE_AGG_TTL_DAYS',
  cluster: 'COSTLINE_CLICKHOUSE_CLUSTER',
  'max-open-actions': 'COSTLINE_MAX_OPEN_ACTIONS',
  'action-wait-ms': 'COSTLINE_ACTION_WAIT_MS',
  'max-held-mb': 'COSTLINE_MAX_HELD_MB',
  'surface-attributes': 'COSTLINE_SURFACE_ATTRIBUTES',
  'max-queue-rows': 'COSTLINE_MAX_QUEUE_ROWS',
  'forward-endpoint': 'COSTLINE_FORWARD_ENDPOINT',
} as const;

export const SURFACE_ATTRIBUTES_DEFAULT = [
  'costline.surface',
  'traceloop.workflow.name',
  'gen_ai.agent.name',
  'http.route',
];

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
  const whole = (flag: keyof typeof SETTING_FLAGS, fallback: number, min: number): number => {
    const text = get(flag);
    if (text === undefined) return fallback;
    const n = Number(text);
    if (!/^\d+$/.test(text.trim()) || !Number.isSafeInteger(n) || n < min)
      throw new SettingsError(
        `${SETTING_FLAGS[flag]} (--${flag}) must be a whole number ≥ ${min}, got ${JSON.stringify(text)}`,
      );
    return n;
  };
  const cluster = get('cluster');
  if (cluster !== undefined && !/^[A-Za-z_][A-Za-z0-9_]*$/.test(cluster))
    throw new SettingsError(
      `COSTLINE_CLICKHOUSE_CLUSTER (--cluster) must be a plain identifier, got ${JSON.stringify(cluster)}`,
    );
  const forward = get('forward-endpoint');
  if (forward !== undefined && !/^https?:\/\/./.test(forward))
    throw new SettingsError(
      `COSTLINE_FORWARD_ENDPOINT (--forward-endpoint) must be an http(s) URL, got ${JSON.stringify(forward)}`,
    );
  const surfaceAttributes = (get('surface-attributes') ?? SURFACE_ATTRIBUTES_DEFAULT.join(','))
    .split(',')
    .map((k) => k.trim())
    .filter((k) => k !== '');
  return {
    ttlDays: whole('ttl-days', 0, 0),
    aggTtlDays: whole('agg-ttl-days', 0, 0),
    cluster,
    maxOpenActions: whole('max-open-actions', 10_000, 1),
    actionWaitMs: whole('action-wait-ms', 60_000, 1),
    maxHeldBytes: whole('max-held-mb', 256, 1) * 1024 * 1024,
    surfaceAttributes,
    maxQueueRows: whole('max-queue-rows', 200_000, 1),
    forwardEndpoint: forward,
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
    spoolMaxBytes: whole('spool-max-mb', 1024, 1) * 1024 * 1024,
  };
}
