import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { forgetSecrets, registerSecret } from '../../../core/redact.js';
import { readRecords, rotatedFiles } from '../../../diffs/jsonl-read.js';
import { buildRecord } from '../../../diffs/record.js';
import type { DiffStore } from '../../../diffs/store-contract.js';
import { createFileDiffStore } from '../../../diffs/store-file.js';
import { createMemoryDiffStore } from '../../../diffs/store-memory.js';
import { MAX_VALUE_CHARS } from '../../../diffs/stored-line.js';
import type { DiffRecord } from '../../../diffs/types.js';
import { pair } from './helpers.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'strangler-diffs-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
  forgetSecrets();
});

function record(i: number, extra: Partial<DiffRecord> = {}): DiffRecord {
  const base = buildRecord(`id-${i}`, pair('r', { a: 1 }, { a: 2 }), {
    differences: [{ path: '/a', kind: 'changed', legacy: 1, new: 2 }],
    normalised: { numericStrings: 0, emptyArrayObject: 0, nullMissing: 0, numberTolerance: 0 },
  });
  return { ...base, ...extra };
}

async function all(store: DiffStore): Promise<DiffRecord[]> {
  const out: DiffRecord[] = [];
  for await (const r of store.records()) out.push(r);
  return out;
}

describe('file diff store', () => {
  test('appends one JSON line per record and reads them back in order', async () => {
    const file = path.join(dir, 'sub', 'diffs.jsonl');
    const store = createFileDiffStore({ path: file, maxFileBytes: 1e6, maxFiles: 3 });
    for (let i = 0; i < 5; i++) expect(store.append(record(i))).toBe(true);
    await store.close();
    const lines = readFileSync(file, 'utf8').trimEnd().split('\n');
    expect(lines).toHaveLength(5);
    expect(JSON.parse(lines[2]!).id).toBe('id-2');
    expect((await all(store)).map((r) => r.id)).toEqual(['id-0', 'id-1', 'id-2', 'id-3', 'id-4']);
    expect(store.stats()).toMatchObject({ stored: 5, dropped: 0, failed: 0 });
  });

  test('writes records without a flush, a batch of them in one write', async () => {
    const file = path.join(dir, 'diffs.jsonl');
    const store = createFileDiffStore({ path: file, maxFileBytes: 1e6, maxFiles: 1 });
    for (let i = 0; i < 50; i++) store.append(record(i));
    expect(store.stats()).toMatchObject({ stored: 0, queued: 50 });
    const deadline = Date.now() + 5000;
    while (store.stats().stored < 50 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
    expect(store.stats()).toMatchObject({ stored: 50, queued: 0 });
    expect(readFileSync(file, 'utf8').trimEnd().split('\n')).toHaveLength(50);
    await store.close();
  });

  test('rotates by size, keeps maxFiles rotated files, and no file exceeds the bound', async () => {
    const file = path.join(dir, 'diffs.jsonl');
    const lineBytes = Buffer.byteLength(JSON.stringify(record(10))) + 1;
    const maxFileBytes = lineBytes * 4 + 10; // four records per file
    const store = createFileDiffStore({ path: file, maxFileBytes, maxFiles: 2 });
    for (let i = 10; i < 30; i++) store.append(record(i)); // 20 records → 5 files' worth
    await store.close();
    expect(readdirSync(dir).sort()).toEqual(['diffs.jsonl', 'diffs.jsonl.1', 'diffs.jsonl.2']);
    for (const f of rotatedFiles(file, 2)) expect(statSync(f).size).toBeLessThanOrEqual(maxFileBytes);
    const ids = (await all(store)).map((r) => r.id);
    // The oldest two files' worth were rotated out; what is left is the newest 12, oldest first.
    expect(ids).toEqual(Array.from({ length: 12 }, (_, k) => `id-${18 + k}`));
    // Appending later goes on in the current file.
    const again = createFileDiffStore({ path: file, maxFileBytes, maxFiles: 2 });
    again.append(record(99));
    await again.close();
    expect((await all(again)).at(-1)!.id).toBe('id-99');
  });

  test('configured fields are masked before storage; registered secrets too; long values are cut', async () => {
    registerSecret('s3cr3t-admin-token');
    const file = path.join(dir, 'diffs.jsonl');
    const store = createFileDiffStore({ path: file, maxFileBytes: 1e6, maxFiles: 1, redact: ['password', 'Token'] });
    store.append(
      record(1, {
        path: '/api/login?user=ann&token=abc123&x=1',
        differences: [
          { path: '/user/password', kind: 'changed', legacy: 'hunter2', new: 'hunter3' },
          { path: '/user', kind: 'changed', legacy: { name: 'a', token: 'tok-1' }, new: { name: 'b', token: 'tok-2' } },
          { path: '/note', kind: 'changed', legacy: 'the key is s3cr3t-admin-token', new: 'x'.repeat(MAX_VALUE_CHARS + 50) },
        ],
      }),
    );
    await store.close();
    const text = readFileSync(file, 'utf8');
    for (const secret of ['hunter2', 'hunter3', 'tok-1', 'tok-2', 'abc123', 's3cr3t-admin-token']) expect(text).not.toContain(secret);
    const [r] = await all(store);
    expect(r!.path).toBe('/api/login?user=ann&token=***&x=1');
    expect(r!.differences[0]).toEqual({ path: '/user/password', kind: 'changed', legacy: '***', new: '***' });
    expect(r!.differences[1]).toEqual({ path: '/user', kind: 'changed', legacy: { name: 'a', token: '***' }, new: { name: 'b', token: '***' } });
    expect(String(r!.differences[2]!.new)).toHaveLength(MAX_VALUE_CHARS + 1);
  });

  test('the write queue is bounded: beyond it records are dropped and counted, the rest is written', async () => {
    const file = path.join(dir, 'diffs.jsonl');
    const lineChars = JSON.stringify(record(10)).length; // ids 10..99 have the same length
    const store = createFileDiffStore({ path: file, maxFileBytes: 1e7, maxFiles: 1, maxQueuedBytes: lineChars * 10 });
    let accepted = 0;
    for (let i = 0; i < 90; i++) if (store.append(record(10 + i))) accepted++; // synchronously: nothing is written yet
    expect(accepted).toBe(10);
    expect(store.stats()).toMatchObject({ dropped: 80, queued: 10 });
    await store.flush();
    expect(store.stats()).toMatchObject({ stored: 10, queued: 0 });
    // Once written, the queue takes records again.
    expect(store.append(record(11))).toBe(true);
    await store.close();
    expect(readFileSync(file, 'utf8').trimEnd().split('\n')).toHaveLength(11);
  });

  test('a write error is counted and reported once, never thrown', async () => {
    const blocker = path.join(dir, 'not-a-dir');
    await import('node:fs').then((fs) => fs.writeFileSync(blocker, 'x'));
    const errors: unknown[] = [];
    const store = createFileDiffStore({ path: path.join(blocker, 'diffs.jsonl'), maxFileBytes: 1e6, maxFiles: 1, onError: (e) => errors.push(e) });
    store.append(record(1));
    store.append(record(2));
    await store.close();
    expect(store.stats()).toMatchObject({ stored: 0, failed: 2 });
    expect(errors).toHaveLength(1);
  });

  test('reading skips torn or foreign lines and counts them', async () => {
    const file = path.join(dir, 'diffs.jsonl');
    const fs = await import('node:fs');
    fs.writeFileSync(file, `${JSON.stringify(record(1))}\n{"torn":\nnot json\n${JSON.stringify(record(2))}\n`);
    const counts = { bad: 0 };
    const ids: string[] = [];
    for await (const r of readRecords([file], counts)) ids.push(r.id);
    expect(ids).toEqual(['id-1', 'id-2']);
    expect(counts.bad).toBe(2);
  });
});

describe('memory diff store', () => {
  test('keeps records in stored form, bounded, dropping and counting beyond the bound', async () => {
    const store = createMemoryDiffStore({ maxRecords: 2, redact: ['password'] });
    store.append(record(1, { differences: [{ path: '/password', kind: 'changed', legacy: 'a', new: 'b' }] }));
    store.append(record(2));
    expect(store.append(record(3))).toBe(false);
    expect(store.stats()).toMatchObject({ stored: 2, dropped: 1 });
    expect((await all(store)).map((r) => r.id)).toEqual(['id-1', 'id-2']);
    expect(store.list()[0]!.differences[0]).toMatchObject({ legacy: '***', new: '***' });
  });
});
