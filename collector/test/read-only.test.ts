import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assertReadOnlySql } from '../src/store/read-only.ts';
import { startTestCollector } from './support/collector.ts';
import type { TestCollector } from './support/collector.ts';

describe('read-only SQL for /api/query and the CLI', () => {
  it.each([
    ["SELECT * FROM file('/etc/passwd', 'LineAsString')", /file\(\) reaches outside/],
    ["SELECT file('/etc/passwd')", /file\(\) reaches outside/],
    ["SELECT * FROM url('http://127.0.0.1:1/x', 'LineAsString')", /url\(\) reaches outside/],
    ["SELECT * FROM s3('https://bucket/x.csv')", /s3\(\) reaches outside/],
    ["SELECT * FROM remote('10.0.0.1', system.one)", /remote\(\) reaches outside/],
    ["SELECT * FROM executable('id', 'TSV', 'x String')", /executable\(\) reaches outside/],
    ["SELECT * FROM MySQL ('h:3306', 'db', 't', 'u', 'p')", /MySQL\(\) reaches outside/],
    ["SELECT 42 INTO OUTFILE '/tmp/x.txt'", /INTO OUTFILE/],
    ["SELECT 1 /* c */ into\n outfile 'x'", /INTO OUTFILE/],
    ['INSERT INTO t VALUES (1)', /only reading statements/],
    ['SELECT 1; DROP TABLE t', /only one statement/],
  ])('refuses %j', (sql, message) => {
    expect(() => assertReadOnlySql(sql)).toThrow(message);
  });

  it.each([
    "SELECT surface, sum(cost_usd) FROM costline.llm_calls WHERE customer = 'file(x)' GROUP BY surface",
    'SELECT number FROM numbers(3)',
    "SELECT 'INTO OUTFILE' AS s",
    'WITH x AS (SELECT 1) SELECT * FROM x',
    'SELECT toStartOfInterval(ts, INTERVAL 1 minute) FROM costline.actions',
  ])('admits %j', (sql) => {
    expect(() => assertReadOnlySql(sql)).not.toThrow();
  });
});

describe('POST /api/query', () => {
  let tc: TestCollector;
  beforeAll(async () => {
    tc = await startTestCollector();
  });
  afterAll(async () => {
    await tc.stop();
  });
  const query = (sql: string): Promise<Response> =>
    fetch(`${tc.url}/api/query`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: sql, format: 'JSONEachRow' }),
    });

  it('answers 403 for reading a file or writing one, and still answers reading queries', async () => {
    const passwd = await query("SELECT * FROM file('/etc/passwd', 'LineAsString') LIMIT 1");
    expect(passwd.status).toBe(403);
    expect(await passwd.text()).not.toMatch(/root:/);
    expect((await query("SELECT 42 INTO OUTFILE '/tmp/costline-should-not-exist.txt'")).status).toBe(403);
    const ok = await query('SELECT number FROM numbers(2)');
    expect(ok.status).toBe(200);
    expect(await ok.text()).toMatch(/"number"/);
  });
});
