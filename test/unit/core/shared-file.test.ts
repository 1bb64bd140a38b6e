import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { lockFile, watchFile, writeFileAtomically } from '../../../core/shared-file.js';

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
});

function tmpFile(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'strangler-shared-file-'));
  dirs.push(dir);
  return path.join(dir, 'state.json');
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

test('an atomic write replaces the content and leaves no temp file', async () => {
  const file = tmpFile();
  await writeFileAtomically(file, 'one');
  await writeFileAtomically(file, 'two', { fsync: false });
  expect(fs.readFileSync(file, 'utf8')).toBe('two');
  expect(fs.readdirSync(path.dirname(file))).toEqual(['state.json']);
});

test('a slow live holder keeps its lock past the stale time: it refreshes it while it holds it', async () => {
  const file = tmpFile();
  const events: string[] = [];
  const releaseA = await lockFile(file, { staleMs: 3000 });
  const b = lockFile(file, { staleMs: 3000, waitMs: 60_000 }).then((release) => {
    events.push('b acquired');
    return release;
  });
  // A holds it twice the stale time (its event loop free, as a slow write's would be).
  await sleep(6000);
  events.push('a releases');
  await releaseA();
  const releaseB = await b;
  await releaseB();
  expect(events).toEqual(['a releases', 'b acquired']);
  expect(fs.readdirSync(path.dirname(file))).toEqual([]);
}, 30_000);

test('a lock its holder abandoned (not refreshed for the stale time) is taken over', async () => {
  const file = tmpFile();
  fs.mkdirSync(`${file}.lock`);
  const old = new Date(Date.now() - 60_000);
  fs.utimesSync(`${file}.lock`, old, old);
  const release = await lockFile(file, { waitMs: 1000 });
  await release();
  expect(fs.existsSync(`${file}.lock`)).toBe(false);
});

test('waiting past waitMs for a live holder fails with ELOCKED and leaves its lock alone', async () => {
  const file = tmpFile();
  const release = await lockFile(file);
  await expect(lockFile(file, { waitMs: 100 })).rejects.toMatchObject({ code: 'ELOCKED' });
  expect(fs.existsSync(`${file}.lock`)).toBe(true);
  await release();
});

test('a watch sees the file replaced by an atomic write, and stops', async () => {
  const file = tmpFile();
  let seen = 0;
  const stop = watchFile(file, () => seen++, { debounceMs: 10, pollMs: 200 });
  await writeFileAtomically(file, 'x');
  const deadline = Date.now() + 20_000;
  while (seen === 0 && Date.now() < deadline) await sleep(20);
  stop();
  expect(seen).toBeGreaterThan(0);
});
