/**
 * `POST /api/query`: read-only SQL for the CLI while this collector holds the embedded store (a
 * second process cannot open it). Only single reading statements are admitted (see store/read-only.ts).
 *
 * @module
 */

import type { ClickHouseClient } from '@clickhouse/client';
import type { Request, Response } from 'express';
import { assertReadOnlySql, readOnlySettings } from '../store/read-only.ts';

export const QUERY_FORMATS = [
  'JSONEachRow',
  'CSV',
  'CSVWithNames',
  'TSV',
  'TabSeparatedWithNames',
  'PrettyCompactMonoBlock',
  'JSON',
] as const;
export type QueryFormat = (typeof QUERY_FORMATS)[number];

export function queryRoute(client: ClickHouseClient, server: boolean) {
  const settings = readOnlySettings(server);
  return async (req: Request, res: Response): Promise<void> => {
    const body = req.body as { query?: unknown; format?: unknown; params?: unknown } | undefined;
    const query = body?.query;
    const format = body?.format ?? 'JSONEachRow';
    if (typeof query !== 'string' || query.trim() === '') {
      res
        .status(400)
        .type('text/plain')
        .send('body must be JSON {"query": "<SQL>", "format": "JSONEachRow"}');
      return;
    }
    if (typeof format !== 'string' || !(QUERY_FORMATS as readonly string[]).includes(format)) {
      res
        .status(400)
        .type('text/plain')
        .send(`format must be one of ${QUERY_FORMATS.join(', ')}`);
      return;
    }
    try {
      assertReadOnlySql(query);
    } catch (e) {
      res
        .status(403)
        .type('text/plain')
        .send((e as Error).message);
      return;
    }
    try {
      const params = body?.params;
      const rs = await client.query({
        query,
        format: format as 'JSONEachRow',
        ...(params && typeof params === 'object' ? { query_params: params as Record<string, unknown> } : {}),
        ...(settings ? { clickhouse_settings: settings } : {}),
      });
      res
        .status(200)
        .type('text/plain')
        .send(await rs.text());
    } catch (e) {
      res
        .status(400)
        .type('text/plain')
        .send((e as Error).message);
    }
  };
}
