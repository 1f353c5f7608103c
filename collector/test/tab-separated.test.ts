import { describe, expect, it } from 'vitest';
import { migrate } from '../src/store/migrate.ts';
import { ACTION_COLUMNS, LLM_CALL_COLUMNS } from '../src/store/rows.ts';
import type { ActionRow, LlmCallRow } from '../src/store/rows.ts';
import { escapeTsv, tsvEncoder } from '../src/store/tab-separated.ts';
import { createWriter, insertSettings } from '../src/store/writer.ts';
import { newDatabase, rows, testClient } from './support/chdb.ts';

const NASTY = 'tab\there, newline\nthere, cr\r, back\\slash, quote\' and "double", nul\0, \\N, é 漢字 🙂';

function callRow(over: Partial<LlmCallRow> = {}): LlmCallRow {
  return {
    ts: '2026-11-30 10:00:00.123',
    trace_id: '0af7651916cd43dd8448eb211c80319c',
    span_id: 'b7ad6b7169203331',
    parent_span_id: '',
    action_id: 'a1',
    service: 'svc',
    surface: NASTY,
    customer: 'cust\t1',
    provider: 'openai',
    request_model: 'gpt-4o-mini',
    response_model: 'gpt-4o-mini-2024-07-18',
    operation: 'chat',
    prompt_name: "it's",
    prompt_version: '\\',
    streaming: true,
    service_tier: 'default',
    input_tokens: 9_007_199_254_740_991,
    uncached_input_tokens: 1,
    cache_read_tokens: 2,
    cache_write_tokens: 3,
    cache_write_1h_tokens: 1,
    output_tokens: 4,
    reasoning_tokens: 0,
    input_audio_tokens: 0,
    output_audio_tokens: 0,
    cost_input_usd: '0.000000150000',
    cost_cache_read_usd: '-0.000000000001',
    cost_cache_write_usd: '0',
    cost_output_usd: '123456.123456789012',
    cost_other_usd: '0.5',
    cost_usd: '123456.623456789011',
    priced: true,
    price_source: 'genai-prices',
    price_version: '0.0.1',
    pricing_tier: 'long_context_200k',
    price_flags: ["a'b", 'c\td', 'back\\', ''],
    usage_missing: false,
    duration_ms: 1234.5678,
    ttft_ms: null,
    status: 'ok',
    error_type: '',
    retry_attempt: 2,
    sdk_retries: -1,
    app_cache_hit: false,
    avoided_model: '',
    avoided_cost_usd: '0',
    action_outcome: 'unknown',
    dialect: 'costline',
    system_prompt_chars: 42,
    tool_calls: { web_search: 4, "it's": 1 },
    region: '',
    price_estimated: true,
    correction: '',
    priced_at: '2026-11-30 10:00:01.000',
    producer_cost_usd: null,
    ...over,
  };
}

function actionRow(over: Partial<ActionRow> = {}): ActionRow {
  return {
    ts: '2026-11-30 10:00:00.000',
    end_ts: '2026-11-30 10:00:02.500',
    trace_id: '0af7651916cd43dd8448eb211c80319c',
    span_id: '',
    action_id: 'a1',
    service: 'svc',
    surface: NASTY,
    customer: '',
    outcome: 'success',
    failure_reason: "quote'd\nreason",
    duration_ms: 2500,
    llm_calls: 3,
    failed_calls: 0,
    retries: 1,
    input_tokens: 10,
    output_tokens: 20,
    cache_read_tokens: 0,
    cost_usd: '0.000123000000',
    app_cache_hit: false,
    early_exit_rule: '',
    avoided_cost_usd: '0',
    ...over,
  };
}

describe('TabSeparated rows', () => {
  it('escapes exactly the characters TabSeparated reserves', () => {
    expect(escapeTsv('plain text')).toBe('plain text');
    expect(escapeTsv("a\tb\nc\\d'e\rf\0")).toBe("a\\tb\\nc\\\\d\\'e\\rf\\0");
  });

  it('names every column of both tables, and leaves out only columns with a default', async () => {
    const client = testClient();
    const db = newDatabase('tsv_cols');
    await migrate(client, db);
    for (const [table, spec] of [
      ['llm_calls', LLM_CALL_COLUMNS],
      ['actions', ACTION_COLUMNS],
    ] as const) {
      const cols = await rows<{ name: string; default_kind: string }>(
        `SELECT name, default_kind FROM system.columns WHERE database = '${db}' AND table = '${table}'`,
      );
      const named = new Set(spec.map(([c]) => c as string));
      expect([...named].filter((c) => !cols.some((x) => x.name === c))).toEqual([]);
      expect(cols.filter((c) => !named.has(c.name) && c.default_kind === '').map((c) => c.name)).toEqual([]);
    }
  });

  it('stores through the writer exactly what a JSONEachRow insert of the same rows stores', async () => {
    const client = testClient();
    const viaTsv = newDatabase('tsv_rt');
    const viaJson = newDatabase('json_rt');
    await migrate(client, viaTsv);
    await migrate(client, viaJson);
    const calls = [
      callRow(),
      callRow({
        span_id: 'c2',
        ttft_ms: 88.25,
        producer_cost_usd: '0.000001000000',
        sign: -1,
        price_flags: [],
        tool_calls: {},
        input_tokens: -5,
        cost_usd: '-1.5',
      }),
      callRow({ span_id: 'c3', sign: 0, streaming: false, priced: false, surface: '' }),
    ];
    const actions = [
      actionRow(),
      actionRow({ action_id: 'a2', sign: -1, llm_calls: -3, cost_usd: '-0.000123' }),
    ];

    const writer = createWriter({ client, database: viaTsv });
    writer.write(calls, actions);
    await writer.close();
    for (const [table, values] of [
      ['llm_calls', calls as object[]],
      ['actions', actions as object[]],
    ] as const) {
      await client.insert({
        table: `${viaJson}.${table}`,
        values,
        format: 'JSONEachRow',
        clickhouse_settings: insertSettings(`json-${table}-${viaJson}`),
      });
    }
    for (const table of ['llm_calls', 'actions']) {
      const read = (db: string): Promise<object[]> =>
        rows(`SELECT * FROM ${db}.${table} ORDER BY span_id, action_id, sign`);
      const tsv = await read(viaTsv);
      expect(tsv).toHaveLength(table === 'llm_calls' ? 3 : 2);
      expect(tsv).toEqual(await read(viaJson));
    }
    const [first] = await rows<{ surface: string; price_flags: string[]; tool_calls: object; sign: number }>(
      `SELECT surface, price_flags, tool_calls, sign FROM ${viaTsv}.llm_calls WHERE span_id = 'b7ad6b7169203331'`,
    );
    expect(first).toEqual({
      surface: NASTY,
      price_flags: ["a'b", 'c\td', 'back\\', ''],
      tool_calls: { web_search: 4, "it's": 1 },
      sign: 1,
    });
  });

  it('writes a value of the wrong type as the column default instead of failing the batch', () => {
    const encoder = tsvEncoder<Record<string, unknown>>([
      ['n', 'int'],
      ['f', 'float'],
      ['d', 'decimal'],
      ['nd', 'nullable-decimal'],
      ['a', 'string-array'],
      ['s', 'sign'],
    ]);
    expect(encoder.encode([{ n: 'x', f: Number.NaN, d: '1e5', nd: undefined, a: 'no', s: undefined }])).toBe(
      '0\t0\t0\t\\N\t[]\t1\n',
    );
    expect(encoder.encode([{ n: 12.9, f: '2.5', d: 3, nd: '0.1', a: ['x'], s: -1 }])).toBe(
      "12\t2.5\t3\t0.1\t['x']\t-1\n",
    );
  });

  it('writes each row as a fresh encoder would, whatever the rows before it (values repeat, change, go missing)', () => {
    const spec = [
      ['s', 'string'],
      ['t', 'datetime'],
      ['d', 'decimal'],
      ['n', 'int'],
    ] as const;
    // A missing value first (undefined: each kind's default), then repeats, changes, other types.
    const values = {
      s: [undefined, 'a', 'a', 'tab\there', 'a', '', 7, 'a', undefined],
      t: [undefined, '2026-12-04 10:00:00.000', '2026-12-04 10:00:00.000', 5, undefined, 'x\ny'],
      d: [undefined, '0.100000000000', '0.100000000000', Number.NaN, Number.NaN, '1e5', 3, undefined],
      n: [undefined, 1, 1, 2],
    };
    const rows = Array.from({ length: 40 }, (_, i) =>
      Object.fromEntries(
        Object.entries(values).map(([k, vs]) => [k, vs[(i * (k.length + 3) + (i >> 2)) % vs.length]]),
      ),
    );
    const batched = tsvEncoder<Record<string, unknown>>(spec).encode(rows);
    const one = rows.map((r) => tsvEncoder<Record<string, unknown>>(spec).encode([r])).join('');
    expect(batched).toBe(one);
    expect(tsvEncoder<Record<string, unknown>>(spec).encode([{}])).toBe('\t1970-01-01 00:00:00.000\t0\t0\n');
  });
});

describe('DateTime64 text', () => {
  it('is what toISOString gives, for every millisecond pattern and across days and years', async () => {
    const { dateTime64Text, nanosToDateTime64 } = await import('../src/store/rows.ts');
    const iso = (ms: number): string => new Date(ms).toISOString().replace('T', ' ').replace('Z', '');
    const samples = [
      0, 1, 999, 1000, 59_999, 3_599_999, 86_399_999, 86_400_000, 951_782_400_000, 1_764_547_199_999,
    ];
    for (let i = 0; i < 5000; i++) samples.push(Math.floor(Math.random() * 4_102_444_800_000));
    for (const ms of samples) expect(dateTime64Text(ms), String(ms)).toBe(iso(ms));
    expect(nanosToDateTime64(1_763_900_010_001_999_999n)).toBe('2025-11-23 12:13:30.001');
  });
});

describe('the embedded engine’s own insert', () => {
  it('keeps a batch retried with its token once, and a different batch that is equal twice', async () => {
    const { nativeInsert } = await import('../src/store/client.ts');
    const client = testClient();
    const native = nativeInsert(client);
    expect(native).toBeDefined();
    const db = newDatabase('native');
    await migrate(client, db);
    const encoder = tsvEncoder<ActionRow>(ACTION_COLUMNS);
    const { columns } = encoder;
    const text = encoder.encode([actionRow()]);
    const put = (token: string): Promise<unknown> =>
      (native as NonNullable<typeof native>)({
        table: `${db}.actions`,
        columns,
        values: text,
        format: 'TabSeparated',
        settings: insertSettings(token),
      });
    await put('batch-1');
    await put('batch-1'); // a retry: the answer was lost
    await put('batch-2'); // an equal batch of its own
    expect(await rows(`SELECT sum(sign) AS n FROM ${db}.actions`)).toEqual([{ n: 2 }]);
  });
});
