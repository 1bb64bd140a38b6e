/** A mismatched pair keeps both whole answers (masked, capped); a matched pair keeps none. */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { forgetSecrets, registerSecret } from '../../../core/redact.js';
import { formatRecord } from '../../../diffs/format-record.js';
import { readRecords } from '../../../diffs/jsonl-read.js';
import { maskJsonText } from '../../../diffs/mask-json-text.js';
import { createDiffSink } from '../../../diffs/sink.js';
import { createFileDiffStore } from '../../../diffs/store-file.js';
import { createMemoryDiffStore } from '../../../diffs/store-memory.js';
import type { DiffStore } from '../../../diffs/store-contract.js';
import type { ShadowPair } from '../../../proxy/shadow-contract.js';
import type { DiffRecord } from '../../../diffs/types.js';
import { json, pair, raw } from './helpers.js';

async function compare(pairs: ShadowPair[], options: { keepBodyBytes?: number; redact?: string[]; store?: DiffStore } = {}): Promise<DiffRecord[]> {
  const store = options.store ?? createMemoryDiffStore({ redact: options.redact ?? [] });
  const sink = createDiffSink({ rulesFor: () => undefined, store, ...(options.keepBodyBytes === undefined ? {} : { keepBodyBytes: options.keepBodyBytes }) });
  for (const p of pairs) sink.accept(p);
  await sink.close();
  const out: DiffRecord[] = [];
  for await (const r of store.records()) out.push(r);
  return out;
}

function withBodies(p: ShadowPair, legacy: ShadowPair['primary'], next: ShadowPair['shadow']): ShadowPair {
  return { ...p, primary: { ...legacy, backend: 'legacy' }, shadow: { ...next, backend: 'new' } };
}

afterEach(() => forgetSecrets());

describe('whole answers of a mismatched pair', () => {
  test('a mismatch keeps both bodies whole (JSON as parsed) and every header; a match keeps none', async () => {
    const legacyUser = { id: 7, name: 'User 7', plan: { tier: 'free', seats: 1 }, tags: ['a', 'b'] };
    const newUser = { ...legacyUser, name: 'user 7' };
    const [differs, same] = await compare([pair('users', legacyUser, newUser), pair('users', legacyUser, legacyUser)]);
    expect(differs!.match).toBe(false);
    expect(differs!.answers).toEqual({
      legacy: { headers: { 'content-type': 'application/json; charset=utf-8' }, body: { bytes: JSON.stringify(legacyUser).length, kind: 'json', json: legacyUser } },
      new: { headers: { 'content-type': 'application/json; charset=utf-8' }, body: { bytes: JSON.stringify(newUser).length, kind: 'json', json: newUser } },
    });
    expect(same!.match).toBe(true);
    expect(same!.answers).toBeUndefined();
  });

  test('a status difference with equal bodies keeps them too; keepBodyBytes 0 keeps none', async () => {
    const p = pair('r', { ok: true }, { ok: true });
    const [kept] = await compare([{ ...p, shadow: json({ ok: true }, 500, 'new') }]);
    expect(kept!.answers?.new.body).toEqual({ bytes: 11, kind: 'json', json: { ok: true } });
    const [none] = await compare([{ ...p, shadow: json({ ok: true }, 500, 'new') }], { keepBodyBytes: 0 });
    expect(none!.match).toBe(false);
    expect(none!.answers).toBeUndefined();
  });

  test('a body past the limit is cut there, between characters, and marked; its size is the whole size', async () => {
    const text = 'é'.repeat(100); // 200 bytes, 2 per character
    const p = withBodies(pair('page', {}, {}), raw(text, 'text/plain'), raw(text + '!', 'text/plain'));
    const [r] = await compare([p], { keepBodyBytes: 51 });
    expect(r!.answers!.legacy.body).toEqual({ bytes: 200, kind: 'text', text: 'é'.repeat(25), truncated: true });
    expect(r!.answers!.new.body).toMatchObject({ bytes: 201, truncated: true });
  });

  test('binary and content-encoded bodies and a failed answer are not kept, and say why', async () => {
    const bin = withBodies(pair('img', {}, {}), raw(Buffer.from([1, 2, 3]), 'image/png'), raw(Buffer.from([1, 2, 4]), 'image/png'));
    const gz = raw('{"a":1}', 'application/json');
    const encoded = withBodies(pair('gz', {}, {}), { ...gz, headers: { ...gz.headers, 'content-encoding': 'gzip' } }, raw('{"a":2}', 'application/json'));
    const failed = withBodies(pair('down', {}, {}), raw('{"a":1}', 'application/json'), { ...raw('', 'text/plain', 0), body: undefined, error: 'ECONNREFUSED' });
    const [b, e, f] = await compare([bin, encoded, failed]);
    expect(b!.answers!.legacy.body).toEqual({ bytes: 3, kind: 'binary', omitted: 'binary' });
    expect(e!.answers!.legacy.body).toEqual({ bytes: 7, kind: 'json', omitted: 'encoded' });
    expect(e!.answers!.new.body).toEqual({ bytes: 7, kind: 'json', json: { a: 2 } });
    expect(f!.answers!.new.body).toEqual({ bytes: 0, kind: 'binary', omitted: 'absent' });
    // `diffs show` says what the record keeps.
    expect(formatRecord(e!)).toContain('whole answers kept: legacy encoded (7 bytes, not kept); new json, 7 bytes');
  });

  test('kept answers are masked by the same rules: configured fields in JSON (whole or cut) and headers, credential headers always, registered secrets', async () => {
    registerSecret('s3cr3t-token');
    const body = { user: { name: 'Ann', password: 'hunter2', card: { number: '4111' } }, note: 'has s3cr3t-token inside', list: [{ Password: 'x' }] };
    const l = { ...json(body), headers: { 'content-type': 'application/json', 'x-api-key': 'k123', 'set-cookie': ['sid=abc', 'csrf=def'] } };
    const n = json({ ...body, user: { ...body.user, name: 'Bob' } }, 200, 'new');
    const [whole] = await compare([withBodies(pair('u', {}, {}), l, n)], { redact: ['password', 'card', 'X-Api-Key'] });
    expect(whole!.answers!.legacy.headers).toEqual({ 'content-type': 'application/json', 'x-api-key': '***', 'set-cookie': '***' });
    expect(whole!.answers!.legacy.body.json).toEqual({ user: { name: 'Ann', password: '***', card: '***' }, note: 'has *** inside', list: [{ Password: '***' }] });
    const [cut] = await compare([withBodies(pair('u', {}, {}), l, n)], { redact: ['password', 'card', 'X-Api-Key'], keepBodyBytes: 60 });
    const text = cut!.answers!.legacy.body.text!;
    expect(cut!.answers!.legacy.body.truncated).toBe(true);
    // Cut inside the card object: masked to the end.
    expect(text).toBe('{"user":{"name":"Ann","password":"***","card":"***"');
    expect(JSON.stringify(cut)).not.toMatch(/hunter2|4111|abc|k123|s3cr3t/);
  });

  test('the file store and the memory store keep the whole answers as they are', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'strangler-kept-'));
    try {
      const file = path.join(dir, 'diffs.jsonl');
      const p = pair('users', { id: 1, name: 'A' }, { id: 1, name: 'a' });
      const [fromFile] = await compare([p], { store: createFileDiffStore({ path: file, maxFileBytes: 1e6, maxFiles: 1 }) });
      const [fromMemory] = await compare([p]);
      const [read] = await (async () => {
        const out: DiffRecord[] = [];
        for await (const r of readRecords([file])) out.push(r);
        return out;
      })();
      expect(read!.answers).toEqual(fromMemory!.answers);
      expect(fromFile!.answers?.new.body.json).toEqual({ id: 1, name: 'a' });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('masking keys in cut JSON text', () => {
  const fields = new Set(['password', 'card']);
  test('scalars, whole objects and arrays, a value the cut ends inside; strings that look like keys are left alone', () => {
    expect(maskJsonText('{"password": "a\\"b", "x": 1}', fields, '***')).toBe('{"password": "***", "x": 1}');
    expect(maskJsonText('{"card":{"n":"4111","exp":[1,{"y":"]"}]},"ok":true}', fields, '***')).toBe('{"card":"***","ok":true}');
    expect(maskJsonText('{"PassWord":12345,"card":null}', fields, '***')).toBe('{"PassWord":"***","card":"***"}');
    expect(maskJsonText('{"a":"password: no","b":["card"],"card":{"n":"41', fields, '***')).toBe('{"a":"password: no","b":["card"],"card":"***"');
    expect(maskJsonText('{"a":1,"password":"hun', fields, '***')).toBe('{"a":1,"password":"***"');
  });
});
