import { mkdtempSync, readdirSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { deflateSync, gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { createDurableIngest } from '../src/spool/durable-ingest.ts';
import type { BodyKind } from '../src/spool/durable-ingest.ts';
import { openSpool } from '../src/spool/spool.ts';

const dirOf = (): string => mkdtempSync(join(tmpdir(), 'costline-durable-'));
const body = (i: number): Buffer => Buffer.from(`{"resourceSpans":[]} request ${i} `.repeat(200));

async function durableOn(dir: string) {
  return createDurableIngest({
    spool: await openSpool({ dir }),
    flush: () => Promise.resolve(),
    holdHorizonMs: 0,
  });
}

async function replayed(dir: string): Promise<{ kind: BodyKind; text: string }[]> {
  const durable = await durableOn(dir);
  const out: { kind: BodyKind; text: string }[] = [];
  await durable.replay((kind, b) => out.push({ kind, text: b.toString() }));
  await durable.close();
  return out;
}

describe('durable ingest', () => {
  it('spools a request as received, compressed, and replays it decompressed', async () => {
    const dir = dirOf();
    const durable = await durableOn(dir);
    expect(await durable.accept('protobuf', 'gzip', gzipSync(body(1)))).toBe(1);
    expect(await durable.accept('json', 'deflate', deflateSync(body(2)))).toBe(2);
    expect(await durable.accept('json', 'identity', body(3))).toBe(3);
    await durable.close();
    const onDisk = readdirSync(dir).reduce((n, f) => n + statSync(join(dir, f)).size, 0);
    // Two of the three bodies (7 KB each) are on disk compressed.
    expect(onDisk).toBeLessThan(body(3).length + 2 * 1024);
    expect(await replayed(dir)).toEqual([
      { kind: 'protobuf', text: body(1).toString() },
      { kind: 'json', text: body(2).toString() },
      { kind: 'json', text: body(3).toString() },
    ]);
  });

  it('replays the records of earlier versions, which hold the decompressed body after P or J', async () => {
    const dir = dirOf();
    const spool = await openSpool({ dir });
    await spool.append(Buffer.concat([Buffer.from('P'), body(1)]));
    await spool.append(Buffer.concat([Buffer.from('J'), body(2)]));
    await spool.close();
    expect(await replayed(dir)).toEqual([
      { kind: 'protobuf', text: body(1).toString() },
      { kind: 'json', text: body(2).toString() },
    ]);
  });

  it('skips a record it cannot decode with a log line and replays the rest', async () => {
    const dir = dirOf();
    const spool = await openSpool({ dir });
    await spool.append(Buffer.concat([Buffer.of(0x70, 1), Buffer.from('not gzip')]));
    await spool.append(Buffer.concat([Buffer.of(0x70, 0), body(2)]));
    await spool.close();
    const log: string[] = [];
    const durable = createDurableIngest({
      spool: await openSpool({ dir }),
      flush: () => Promise.resolve(),
      holdHorizonMs: 0,
      log: (m) => log.push(m),
    });
    const out: string[] = [];
    await durable.replay((_kind, b) => out.push(b.toString()));
    await durable.close();
    expect(out).toEqual([body(2).toString()]);
    expect(log.join('\n')).toMatch(/record 1 could not be replayed/);
  });
});
