/**
 * Runs read-only SQL either on a store client this process holds, or through a running collector's
 * `POST /api/query` (the embedded store can be open in one process only).
 *
 * @module
 */

import type { ClickHouseClient } from '@clickhouse/client';
import { assertReadOnlySql, readOnlySettings } from '../store/read-only.ts';

export interface QueryRunner {
  /** Rows of a `JSONEachRow` query. */
  rows<T>(query: string, params?: Record<string, unknown>): Promise<T[]>;
  /** The raw text of a query in any supported format. */
  text(query: string, format: string, params?: Record<string, unknown>): Promise<string>;
  close(): Promise<void>;
}

export interface ClientRunnerOptions {
  /** Close the client with the runner. @default false */
  closeClient?: boolean;
  /** The client talks to a ClickHouse server (per-query `readonly = 1`), not chDB. @default false */
  server?: boolean;
}

export function clientRunner(client: ClickHouseClient, options: ClientRunnerOptions = {}): QueryRunner {
  const settings = readOnlySettings(options.server ?? false);
  const text = async (query: string, format: string, params?: Record<string, unknown>): Promise<string> => {
    assertReadOnlySql(query);
    const rs = await client.query({
      query,
      format: format as 'JSONEachRow',
      ...(settings ? { clickhouse_settings: settings } : {}),
      ...(params ? { query_params: params } : {}),
    });
    return rs.text();
  };
  return {
    text,
    async rows<T>(query: string, params?: Record<string, unknown>) {
      return parseJsonEachRow<T>(await text(query, 'JSONEachRow', params));
    },
    async close() {
      if (options.closeClient) await client.close();
    },
  };
}

export function httpRunner(baseUrl: string, token?: string): QueryRunner {
  const text = async (query: string, format: string, params?: Record<string, unknown>): Promise<string> => {
    const res = await fetch(new URL('/api/query', baseUrl), {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: JSON.stringify({ query, format, params }),
    });
    const body = await res.text();
    if (!res.ok) throw new Error(`query through the collector at ${baseUrl} failed (${res.status}): ${body}`);
    return body;
  };
  return {
    text,
    async rows<T>(query: string, params?: Record<string, unknown>) {
      return parseJsonEachRow<T>(await text(query, 'JSONEachRow', params));
    },
    async close() {},
  };
}

function parseJsonEachRow<T>(text: string): T[] {
  return text
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as T);
}
