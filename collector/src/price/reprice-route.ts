/**
 * `POST /api/reprice`: re-pricing through a running collector that holds the embedded store (a
 * second process cannot open it). Behind the ingest token like `/api/query`. Body:
 * `{"from": ISO, "to"?: ISO, "dryRun"?: bool, "priceBook"?: text, "priceBookName"?: string}`;
 * answers the {@link RepriceResult} as JSON, or 400 with a message naming the field.
 *
 * @module
 */

import type { ClickHouseClient } from '@clickhouse/client';
import { createPricer, parsePriceBook, PriceBookError } from '@costline/pricing';
import type { Request, Response } from 'express';
import { reprice } from './reprice.ts';

function date(value: unknown, field: string): Date | undefined {
  if (value === undefined || value === null) return undefined;
  const d = typeof value === 'string' ? new Date(value) : undefined;
  if (d === undefined || Number.isNaN(d.getTime())) throw new RangeError(`${field}: not an ISO 8601 date`);
  return d;
}

export function repriceRoute(client: ClickHouseClient, database: string) {
  return async (req: Request, res: Response): Promise<void> => {
    const body = (req.body ?? {}) as Record<string, unknown>;
    let from: Date | undefined;
    let to: Date | undefined;
    let pricer;
    try {
      from = date(body['from'], 'from');
      if (from === undefined) throw new RangeError('from: required');
      to = date(body['to'], 'to');
      const text = body['priceBook'];
      if (text !== undefined && text !== null && typeof text !== 'string') {
        throw new RangeError('priceBook: must be the text of a price book');
      }
      const name = typeof body['priceBookName'] === 'string' ? body['priceBookName'] : 'price book';
      pricer = createPricer({ priceBook: typeof text === 'string' ? parsePriceBook(text, name) : undefined });
    } catch (e) {
      if (e instanceof RangeError || e instanceof PriceBookError) {
        res.status(400).type('text/plain').send(e.message);
        return;
      }
      throw e;
    }
    try {
      res.json(await reprice(client, database, pricer, { from, to, dryRun: body['dryRun'] === true }));
    } catch (e) {
      res
        .status(500)
        .type('text/plain')
        .send(`reprice failed: ${(e as Error).message}`);
    }
  };
}
