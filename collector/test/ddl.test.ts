/**
 * The migrations rendered for one node (run on chDB) and for a cluster (DDL text: no ClickHouse
 * server or Keeper runs here), from the same files.
 */

import { describe, expect, it } from 'vitest';
import { DdlOptionsError, renderMigration, ttlChange } from '../src/store/ddl.ts';
import { migrate, readMigrations } from '../src/store/migrate.ts';
import { newDatabase, rows, testClient } from './support/chdb.ts';

async function render(options: Parameters<typeof renderMigration>[1]): Promise<string[]> {
  return (await readMigrations()).flatMap((m) => renderMigration(m.text, options));
}

const PUBLIC = ['llm_calls', 'actions', 'surface_minute', 'model_minute'];

describe('single node', () => {
  it('creates the public tables and views, with the configured TTLs, on chDB', async () => {
    const db = newDatabase('ddl');
    await migrate(testClient(), db, { rawTtlDays: 90, aggregateTtlDays: 400 });
    const tables = await rows<{ name: string; engine: string; create_table_query: string }>(
      `SELECT name, engine, create_table_query FROM system.tables WHERE database = '${db}' ORDER BY name`,
    );
    expect(tables.map((t) => [t.name, t.engine])).toEqual([
      ['actions', 'MergeTree'],
      ['llm_calls', 'MergeTree'],
      ['model_minute', 'AggregatingMergeTree'],
      ['model_minute_mv', 'MaterializedView'],
      ['schema_migrations', 'MergeTree'],
      ['surface_minute', 'AggregatingMergeTree'],
      ['surface_minute_actions_mv', 'MaterializedView'],
      ['surface_minute_calls_mv', 'MaterializedView'],
    ]);
    const ttl = (name: string) =>
      /TTL .*toIntervalDay\((\d+)\)/.exec(tables.find((t) => t.name === name)?.create_table_query ?? '')?.[1];
    expect(PUBLIC.map(ttl)).toEqual(['90', '90', '400', '400']);

    // A changed setting changes the TTL of the existing tables; 0 removes it.
    await migrate(testClient(), db, { rawTtlDays: 30, aggregateTtlDays: 0 });
    const after = await rows<{ name: string; create_table_query: string }>(
      `SELECT name, create_table_query FROM system.tables WHERE database = '${db}'`,
    );
    const ttlAfter = (name: string) =>
      /TTL .*toIntervalDay\((\d+)\)/.exec(after.find((t) => t.name === name)?.create_table_query ?? '')?.[1];
    expect(PUBLIC.map(ttlAfter)).toEqual(['30', '30', undefined, undefined]);
  });

  it('leaves TTLs out when none is configured', async () => {
    const text = (await render({ database: 'costline' })).join('\n');
    expect(text).not.toMatch(/\bTTL\b/);
    expect(text).not.toMatch(/\{(db|raw_ttl|agg_ttl)\}/);
  });
});

describe('cluster mode', () => {
  it('puts every statement ON CLUSTER, local tables on Replicated engines, Distributed tables under the public names', async () => {
    const statements = await render({ database: 'costline', cluster: 'main', rawTtlDays: 90 });
    for (const s of statements)
      expect(s).toMatch(/^CREATE (TABLE|MATERIALIZED VIEW) IF NOT EXISTS \S+ ON CLUSTER main\b/);
    const creates = statements.map((s) => /^CREATE \w+(?: \w+)? IF NOT EXISTS (\S+)/.exec(s)?.[1]);
    expect(creates).toEqual([
      'costline.llm_calls_local',
      'costline.llm_calls',
      'costline.actions_local',
      'costline.actions',
      'costline.surface_minute_local',
      'costline.surface_minute',
      'costline.model_minute_local',
      'costline.model_minute',
      'costline.surface_minute_calls_mv',
      'costline.surface_minute_actions_mv',
      'costline.model_minute_mv',
    ]);
    const byName = new Map(statements.map((s, i) => [creates[i], s]));
    expect(byName.get('costline.llm_calls_local')).toContain(
      "ENGINE = ReplicatedMergeTree('/clickhouse/tables/{shard}/costline/llm_calls_local', '{replica}')",
    );
    expect(byName.get('costline.llm_calls_local')).toContain('TTL toDateTime(ts) + INTERVAL 90 DAY DELETE');
    expect(byName.get('costline.surface_minute_local')).toContain(
      "ENGINE = ReplicatedAggregatingMergeTree('/clickhouse/tables/{shard}/costline/surface_minute_local', '{replica}')",
    );
    // An action's calls and corrections land on one shard.
    expect(byName.get('costline.llm_calls')).toBe(
      'CREATE TABLE IF NOT EXISTS costline.llm_calls ON CLUSTER main AS costline.llm_calls_local\n' +
        'ENGINE = Distributed(main, costline, llm_calls_local, cityHash64(trace_id))',
    );
    expect(byName.get('costline.actions')).toContain(
      'Distributed(main, costline, actions_local, cityHash64(trace_id))',
    );
    expect(byName.get('costline.model_minute')).toContain(
      'Distributed(main, costline, model_minute_local, rand())',
    );
    // Each shard aggregates its own rows.
    const mv = byName.get('costline.surface_minute_calls_mv') ?? '';
    expect(mv).toContain('TO costline.surface_minute_local AS');
    expect(mv).toMatch(/FROM costline\.llm_calls_local AS c\n/);
    expect(byName.get('costline.surface_minute_actions_mv')).toMatch(/FROM costline\.actions_local AS a\n/);
    expect(statements.join('\n')).not.toContain('non_replicated_deduplication_window');
  });

  it('changes TTLs on the local tables ON CLUSTER', () => {
    const options = { database: 'costline', cluster: 'main' };
    expect(ttlChange(options, 'llm_calls', 'CREATE TABLE … TTL toDateTime(ts) + toIntervalDay(90)', 30)).toBe(
      'ALTER TABLE costline.llm_calls_local ON CLUSTER main MODIFY TTL toDateTime(ts) + INTERVAL 30 DAY DELETE',
    );
    expect(ttlChange(options, 'model_minute', 'CREATE TABLE … TTL minute + toIntervalDay(400)', 0)).toBe(
      'ALTER TABLE costline.model_minute_local ON CLUSTER main REMOVE TTL',
    );
    expect(
      ttlChange(options, 'actions', 'CREATE TABLE … TTL toDateTime(ts) + toIntervalDay(30)', 30),
    ).toBeUndefined();
  });

  it('refuses options it cannot render, naming the setting and value', async () => {
    await expect(render({ database: 'costline', cluster: 'my-cluster' })).rejects.toThrow(DdlOptionsError);
    await expect(render({ database: 'costline', cluster: 'my-cluster' })).rejects.toThrow(
      'COSTLINE_CLICKHOUSE_CLUSTER "my-cluster" is not a plain identifier',
    );
    await expect(render({ database: 'costline', rawTtlDays: -1 })).rejects.toThrow(
      'COSTLINE_TTL_DAYS must be a whole number of days (0 = keep), got -1',
    );
  });
});
