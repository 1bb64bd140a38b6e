import { writeFileSync, mkdtempSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { bufferIo } from '../../cli/io.js';
import { CHECK_TIMEOUT_MS } from '../../wiring/doctor.js';
import { runCli } from '../../cli/program.js';
import { deadPort, startUpstream, type Upstream } from '../support/http.js';
import { createTestDatabase, TEST_PROJECT, testNamespace, type TestDatabase } from '../support/services.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'strangler-doctor-'));
const env = { ...process.env, STRANGLER_ADMIN_TOKEN: 'a-very-long-admin-token' };

function config(mysqlUrl: string, legacy: string, next: string, tables = '{ users: { kind: User } }'): string {
  const file = path.join(dir, `c${Math.random().toString(36).slice(2)}.yaml`);
  writeFileSync(
    file,
    `proxy:
  admin: { token: \${STRANGLER_ADMIN_TOKEN} }
  backends: { legacy: { url: "${legacy}" }, new: { url: "${next}" } }
migrate:
  source: "${mysqlUrl}"
  target: { projectId: ${TEST_PROJECT}, namespace: ${testNamespace('doctor')} }
  tables: ${tables}
`,
  );
  return file;
}

async function doctor(file: string, ...flags: string[]) {
  const io = bufferIo(env);
  const started = performance.now();
  const code = await runCli(['doctor', '-c', file, ...flags], io);
  return { code, out: io.out(), err: io.err(), ms: performance.now() - started };
}

/** A TCP server that accepts connections and never says a word: the worst kind of peer. */
async function silentServer(): Promise<{ port: number; close: () => Promise<void> }> {
  const sockets = new Set<net.Socket>();
  const srv = net.createServer((s) => sockets.add(s));
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  return {
    port: (srv.address() as net.AddressInfo).port,
    close: () => new Promise((r) => (sockets.forEach((s) => s.destroy()), srv.close(() => r()))),
  };
}

describe('strangler doctor', () => {
  let db: TestDatabase;
  let legacy: Upstream;
  let next: Upstream;
  beforeAll(async () => {
    db = await createTestDatabase('doctor');
    await db.pool.query('CREATE TABLE users (id INT PRIMARY KEY)');
    legacy = await startUpstream((_req, res) => res.end('legacy'));
    next = await startUpstream((_req, res) => res.writeHead(404).end());
  });
  afterAll(async () => {
    await Promise.all([db.drop(), legacy.close(), next.close()]);
  });

  test('against the real services every check passes', async () => {
    const r = await doctor(config(db.url, legacy.url, next.url));
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    const lines = r.out.trim().split('\n');
    expect(lines.map((l) => l.split(/\s+/).slice(0, 2).join(' '))).toEqual(['PASS config', 'PASS mysql', 'PASS datastore', 'PASS backend', 'PASS backend']);
    expect(r.out).toMatch(/server \d+\.\d+\.\d+-MariaDB/);
    expect(r.out).toContain('answered 404'); // any HTTP answer means the backend is up
  });

  test('an unreachable MySQL port and a dead backend fail fast, with hints, exit 1', async () => {
    const r = await doctor(config(`mysql://app:topsecret@127.0.0.1:${await deadPort()}/legacy`, legacy.url, `http://127.0.0.1:${await deadPort()}`));
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/FAIL {2}mysql .*cannot be reached.*ECONNREFUSED/);
    expect(r.out).toMatch(/FAIL {2}backend new .*does not answer/);
    expect(r.out).toContain('hint: start the new service or fix proxy.backends.new.url');
    expect(r.out).toMatch(/PASS {2}backend legacy/);
    expect(r.out + r.err).not.toContain('topsecret');
    expect(r.err).toMatch(/2 of 5 checks failed: mysql, backend new \[STRANGLER_E_DOCTOR_FAILED\]/);
  });

  // What is asserted is the doctor's decision (each silent peer is given up on at its check's
  // timeout, and says so), not the wall clock: the bound below only catches a hang (an OS TCP
  // timeout is minutes), so that a busy machine cannot fail the test.
  test('peers that accept and never answer are given up on at the check timeout, and say so', async () => {
    const silent = await silentServer();
    try {
      const r = await doctor(config(`mysql://root@127.0.0.1:${silent.port}/x`, `http://127.0.0.1:${silent.port}`, next.url), '--json');
      expect(r.code).toBe(1);
      expect(r.ms).toBeLessThan(CHECK_TIMEOUT_MS * 5);
      const report = JSON.parse(r.out) as { ok: boolean; checks: { name: string; ok: boolean; detail: string }[] };
      expect(report.ok).toBe(false);
      const failed = report.checks.filter((c) => !c.ok);
      expect(failed.map((c) => c.name).sort()).toEqual(['backend legacy', 'mysql']);
      for (const c of failed) expect(c.detail).toMatch(/ETIMEDOUT|timeout|timed out|no answer within/i);
    } finally {
      await silent.close();
    }
  });

  test('a wrong password and a table missing from the database are named', async () => {
    const badPass = new URL(db.url);
    badPass.password = 'wrong-pass';
    const r = await doctor(config(badPass.toString(), legacy.url, next.url));
    expect(r.out).toMatch(/FAIL {2}mysql .*refused the connection/);
    expect(r.out).not.toContain('wrong-pass');
    const missing = await doctor(config(db.url, legacy.url, next.url, '{ users: { kind: User }, orders: { kind: Order } }'));
    expect(missing.out).toMatch(/FAIL {2}mysql .*table\(s\) orders not found/);
  });

  test('an invalid config is the only check, and fails', async () => {
    const file = path.join(dir, 'bad.yaml');
    writeFileSync(file, 'proxy: { listen: nowhere }\n');
    const r = await doctor(file);
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/^FAIL {2}config/);
    expect(r.out.trim().split('\n').filter((l) => /^(PASS|FAIL)/.test(l))).toHaveLength(1);
  });
});
