/**
 * Builds the collector's HTTP app without listening, so tests run it in-process. `main` listens.
 *
 * @module
 */

import type { ClickHouseClient } from '@clickhouse/client';
import express from 'express';
import type { NextFunction, Request, Response } from 'express';
import type { Metrics } from '../metrics.ts';
import type { Forwarder } from '../otlp/forwarder.ts';
import type { Pipeline } from '../pipeline.ts';
import { repriceRoute } from '../price/reprice-route.ts';
import { queryRoute } from './query-route.ts';
import { readRawBody } from './raw-body.ts';
import type { StageClock } from '../stage-clock.ts';
import type { DurableIngest } from '../spool/durable-ingest.ts';
import { tracesRoute } from './traces-route.ts';
import type { Refusal } from './traces-route.ts';

export interface AppDeps {
  pipeline: Pipeline;
  metrics: Metrics;
  client: ClickHouseClient;
  database: string;
  /** When set, ingest and query require `Authorization: Bearer <token>`. */
  ingestToken?: string | undefined;
  /** @default 32 MiB */
  maxBodyBytes?: number;
  /** Whether migrations ran and the store answers (for /readyz). */
  ready: () => boolean;
  /** Undefined while ingest can accept; else why not, answered with Retry-After (OTLP backpressure). */
  accepting?: () => Refusal | undefined;
  /** Sends accepted spans, cost-enriched, downstream. */
  forwarder?: Forwarder | undefined;
  /** The outage spool, when on: requests are acknowledged once durable in it. */
  durable?: DurableIngest | undefined;
  /** Charged with the decode stage. */
  clock?: StageClock | undefined;
  /** The store is a ClickHouse server (per-query settings are per query), not chDB. @default false */
  server?: boolean;
  /** Sent as `x-costline-store` on /healthz, so the CLI knows which store this collector holds. */
  storeIdentity?: string | undefined;
}

export function createApp(deps: AppDeps): express.Express {
  const app = express();
  app.disable('x-powered-by');
  const maxBodyBytes = deps.maxBodyBytes ?? 32 * 1024 * 1024;
  const auth = (req: Request, res: Response, next: NextFunction): void => {
    if (!deps.ingestToken || bearerToken(req.headers.authorization) === deps.ingestToken) next();
    else res.status(401).type('text/plain').send('missing or wrong bearer token');
  };

  app.post(
    '/v1/traces',
    auth,
    readRawBody(maxBodyBytes),
    tracesRoute({
      pipeline: deps.pipeline,
      metrics: deps.metrics,
      maxBodyBytes,
      accepting: deps.accepting,
      forwarder: deps.forwarder,
      durable: deps.durable,
      clock: deps.clock,
    }),
  );
  app.post('/api/query', auth, express.json({ limit: '1mb' }), queryRoute(deps.client, deps.server ?? false));
  app.post('/api/reprice', auth, express.json({ limit: '16mb' }), repriceRoute(deps.client, deps.database));
  app.get('/healthz', (_req, res) => {
    if (deps.storeIdentity) res.setHeader('x-costline-store', encodeURIComponent(deps.storeIdentity));
    res.type('text/plain').send('ok');
  });
  app.get('/readyz', (_req, res) => {
    if (deps.ready()) res.type('text/plain').send('ready');
    else res.status(503).type('text/plain').send('store not ready');
  });
  app.get('/metrics', (_req, res) => {
    res.type('text/plain; version=0.0.4').send(deps.metrics.render());
  });
  app.use(
    (err: Error & { status?: number; type?: string }, _req: Request, res: Response, _next: NextFunction) => {
      const status = err.status && err.status >= 400 && err.status < 500 ? err.status : 500;
      res
        .status(status)
        .type('text/plain')
        .send(status === 413 ? `body larger than ${maxBodyBytes} bytes` : err.message);
    },
  );
  return app;
}

/** The token of an `Authorization: Bearer <token>` header (the scheme is case-insensitive, RFC 9110). */
function bearerToken(header: string | undefined): string | undefined {
  const m = /^bearer +(\S+)\s*$/i.exec(header ?? '');
  return m?.[1];
}
