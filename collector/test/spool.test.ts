import { mkdtempSync, readdirSync, readFileSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openSpool, SpoolFullError } from '../src/spool/spool.ts';
import type { SpoolRecord } from '../src/spool/record-codec.ts';

const dirOf = (): string => mkdtempSync(join(tmpdir(), 'costline-spool-'));
const payload = (i: number): Buffer => Buffer.from(`request ${i} `.repeat(20));

async function replayAll(dir: string, log: string[] = []): Promise<SpoolRecord[]> {
  const spool = await openSpool({ dir, log: (m) => log.push(m) });
  const seen: SpoolRecord[] = [];
  await spool.replay((r) => {
    seen.push(r);
  });
  await spool.close();
  return seen;
}

const segmentFiles = (dir: string): string[] => readdirSync(dir).filter((f) => f.endsWith('.spool'));

describe('outage spool', () => {
  it('gives back the records of every held segment after a restart, in order', async () => {
    const dir = dirOf();
    const spool = await openSpool({ dir });
    const seqs = await Promise.all([0, 1, 2, 3, 4].map((i) => spool.append(payload(i))));
    expect(seqs).toEqual([1, 2, 3, 4, 5]);
    spool.release(2);
    await spool.close();

    // Record 2 was released, but its segment is still held by the others: releases are not written
    // to disk, so it comes back too. That is harmless (the store deduplicates by trace and span id)
    // and bounded by the segment size.
    const replayed = await replayAll(dir);
    expect(replayed.map((r) => r.seq)).toEqual([1, 2, 3, 4, 5]);
    expect(replayed.map((r) => r.payload.toString())).toEqual(
      [0, 1, 2, 3, 4].map((i) => payload(i).toString()),
    );
  });

  it('groups concurrent appends into few writes and keeps their order', async () => {
    const dir = dirOf();
    const spool = await openSpool({ dir });
    const seqs = await Promise.all(Array.from({ length: 200 }, (_, i) => spool.append(payload(i))));
    expect(seqs).toEqual(Array.from({ length: 200 }, (_, i) => i + 1));
    expect(spool.stats().pendingRecords).toBe(200);
    await spool.close();
    const replayed = await replayAll(dir);
    expect(replayed.map((r) => r.payload.toString())).toEqual(
      Array.from({ length: 200 }, (_, i) => payload(i).toString()),
    );
  });

  it('continues the sequence after a restart and replays old records once', async () => {
    const dir = dirOf();
    let spool = await openSpool({ dir });
    await spool.append(payload(0));
    await spool.close();
    spool = await openSpool({ dir });
    expect(spool.stats()).toMatchObject({ pendingRecords: 1, replayRemaining: 1 });
    expect(await spool.append(payload(1))).toBe(2);
    const first: number[] = [];
    await spool.replay((r) => {
      first.push(r.seq);
    });
    const again: number[] = [];
    await spool.replay((r) => {
      again.push(r.seq);
    });
    expect(first).toEqual([1]);
    expect(again).toEqual([]);
    expect(spool.stats()).toMatchObject({ replayed: 1, replayRemaining: 0, pendingRecords: 2 });
    await spool.close();
  });

  it('deletes a segment once all its records are released', async () => {
    const dir = dirOf();
    const spool = await openSpool({ dir, segmentBytes: 1 });
    const a = await spool.append(payload(0));
    const b = await spool.append(payload(1)); // segmentBytes 1: each record starts a segment
    expect(segmentFiles(dir)).toHaveLength(2);
    spool.release(a);
    await new Promise((r) => setTimeout(r, 20));
    expect(segmentFiles(dir)).toHaveLength(1);
    spool.release(b);
    await spool.close();
    expect(segmentFiles(dir)).toEqual([]);
    expect(await replayAll(dir)).toEqual([]);
  });

  it('detects a torn last record, skips it with a log line and keeps the ones before it', async () => {
    const dir = dirOf();
    const spool = await openSpool({ dir });
    for (let i = 0; i < 3; i++) await spool.append(payload(i));
    await spool.close();
    const [file] = segmentFiles(dir);
    const path = join(dir, file ?? '');
    truncateSync(path, readFileSync(path).length - 7); // a crash in the middle of the last write

    const log: string[] = [];
    const replayed = await replayAll(dir, log);
    expect(replayed.map((r) => r.seq)).toEqual([1, 2]);
    expect(log).toHaveLength(1);
    expect(log[0]).toMatch(/torn record at byte \d+/);
  });

  it('skips a damaged record in the middle and resynchronises on the next one', async () => {
    const dir = dirOf();
    const spool = await openSpool({ dir });
    for (let i = 0; i < 3; i++) await spool.append(payload(i));
    await spool.close();
    const [file] = segmentFiles(dir);
    const path = join(dir, file ?? '');
    const bytes = readFileSync(path);
    const second = bytes.indexOf(Buffer.from('request 1'));
    bytes.writeUInt8((bytes[second + 3] ?? 0) ^ 0xff, second + 3);
    writeFileSync(path, bytes);

    const log: string[] = [];
    const opened = await openSpool({ dir, log: (m) => log.push(m) });
    expect(opened.stats().skippedRecords).toBe(1);
    const seqs: number[] = [];
    await opened.replay((r) => {
      seqs.push(r.seq);
    });
    await opened.close();
    expect(seqs).toEqual([1, 3]);
    expect(log[0]).toMatch(/damaged record .*checksum mismatch/);
  });

  it('refuses appends past its bound with SPOOL_FULL, and takes them again once released', async () => {
    const dir = dirOf();
    const one = payload(0).length + 28;
    const spool = await openSpool({ dir, maxBytes: one * 3, segmentBytes: one });
    const seqs = [];
    for (let i = 0; i < 3; i++) seqs.push(await spool.append(payload(i)));
    const refused = await spool.append(payload(3)).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(SpoolFullError);
    expect((refused as SpoolFullError).code).toBe('SPOOL_FULL');
    for (const s of seqs) spool.release(s);
    await new Promise((r) => setTimeout(r, 20));
    await expect(spool.append(payload(4))).resolves.toBe(5);
    await spool.close();
  });

  it('reports the age of the oldest pending record', async () => {
    let t = 1_000_000;
    const spool = await openSpool({ dir: dirOf(), now: () => t });
    const a = await spool.append(payload(0));
    t += 5_000;
    await spool.append(payload(1));
    t += 1_000;
    expect(spool.stats().oldestAgeMs).toBe(6_000);
    spool.release(a);
    expect(spool.stats().oldestAgeMs).toBe(1_000);
    await spool.close();
  });
});
