import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createClient } from '@clickhouse/client';
import { createChdbConnection } from 'chdb/connection';
import { afterAll, describe, expect, it } from 'vitest';
import { faultyConnection, InjectedFault } from './faulty-connection.ts';
import type { ConnectionLike } from './faulty-connection.ts';

type ClientConnection = NonNullable<Parameters<typeof createClient>[0]>['connection'];

const inner = createChdbConnection({
  path: mkdtempSync(join(tmpdir(), 'costline-faulty-')),
}) as unknown as ConnectionLike;
const faulty = faultyConnection(inner);
const client = createClient({ connection: faulty.connection as unknown as ClientConnection });
const db = `faulty_${randomBytes(4).toString('hex')}`;
afterAll(async () => {
  await client.close();
});

describe('fault-injecting connection around chDB', () => {
  it('passes through, refuses while down, and recovers', async () => {
    await client.command({ query: `CREATE DATABASE ${db}` });
    await client.command({
      query: `CREATE TABLE ${db}.t (id UInt32) ENGINE = MergeTree ORDER BY id
              SETTINGS non_replicated_deduplication_window = 100`,
    });
    await client.insert({ table: `${db}.t`, values: [{ id: 1 }], format: 'JSONEachRow' });

    faulty.set({ kind: 'down' });
    const err = await client
      .insert({ table: `${db}.t`, values: [{ id: 2 }], format: 'JSONEachRow' })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InjectedFault);
    await expect(client.query({ query: 'SELECT 1' })).rejects.toThrow(/ECONNREFUSED/);
    faulty.set({ kind: 'none' });

    const rs = await client.query({
      query: `SELECT toString(count()) AS n FROM ${db}.t`,
      format: 'JSONEachRow',
    });
    expect(await rs.json()).toEqual([{ n: '1' }]);
    expect(faulty.failures()).toEqual({ insert: 1, query: 1 });
  });

  it('applies an insert whose answer it then loses; the same deduplication token stores it once', async () => {
    const token = { insert_deduplication_token: 'batch-42' };
    faulty.set({ kind: 'insert-lost-ack' });
    await expect(
      client.insert({
        table: `${db}.t`,
        values: [{ id: 7 }],
        format: 'JSONEachRow',
        clickhouse_settings: token,
      }),
    ).rejects.toThrow(/Timeout/);
    faulty.set({ kind: 'none' });
    await client.insert({
      table: `${db}.t`,
      values: [{ id: 7 }],
      format: 'JSONEachRow',
      clickhouse_settings: token,
    });
    const rs = await client.query({
      query: `SELECT toString(count()) AS n FROM ${db}.t WHERE id = 7`,
      format: 'JSONEachRow',
    });
    expect(await rs.json()).toEqual([{ n: '1' }]);
  });

  it('dies right after storing an insert into one table: that insert and everything later never answer', async () => {
    await client.command({ query: `CREATE TABLE ${db}.u (id UInt32) ENGINE = MergeTree ORDER BY id` });
    // A second wrapper around the same store: the "dead" one must not stop us reading it.
    const reader = createClient({
      connection: faultyConnection(inner).connection as unknown as ClientConnection,
    });
    const before = faulty.failures()['insert'] ?? 0;
    faulty.set({ kind: 'dead-after-insert', table: 'u' });
    await client.insert({ table: `${db}.t`, values: [{ id: 8 }], format: 'JSONEachRow' }); // other table: passes
    const pending = (p: Promise<unknown>): Promise<string> =>
      Promise.race([
        p.then(() => 'answered'),
        new Promise<string>((r) => setTimeout(() => r('pending'), 300)),
      ]);
    expect(
      await pending(client.insert({ table: `${db}.u`, values: [{ id: 1 }], format: 'JSONEachRow' })),
    ).toBe('pending');
    expect(
      await pending(client.insert({ table: `${db}.t`, values: [{ id: 9 }], format: 'JSONEachRow' })),
    ).toBe('pending');
    expect(await pending(client.query({ query: 'SELECT 1' }))).toBe('pending');
    const rs = await reader.query({
      query: `SELECT (SELECT toString(count()) FROM ${db}.u) AS u, (SELECT toString(countIf(id = 9)) FROM ${db}.t) AS t9`,
      format: 'JSONEachRow',
    });
    expect(await rs.json()).toEqual([{ u: '1', t9: '0' }]); // the first insert into u was stored, nothing after
    expect((faulty.failures()['insert'] ?? 0) - before).toBe(2);
    faulty.set({ kind: 'none' });
  });
});
