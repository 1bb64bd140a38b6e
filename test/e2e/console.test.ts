/**
 * The web console in Debian's chromium (playwright-core), against `strangler proxy start` as a real
 * child process with real upstreams, real diff records from its shadow worker, and a real migration
 * (private MariaDB → Datastore emulator) whose checkpoints the console reads.
 *
 * Every wait is on a page state or a server state, never on the clock. With STRANGLER_SCREENSHOTS=DIR
 * the test also saves the pages it visits there (docs/console-*.png were made so).
 */
import fs from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';
import type { Page } from 'playwright-core';
import { freePort } from '../../local-servers/free-port.js';
import { launchBrowser, type TestBrowser } from '../support/browser.js';
import { startUpstream, type Upstream } from '../support/http.js';
import { TOKEN, adminHeaders, spawnProxy, startLoad, type ProxyProcess } from '../integration/proxy/setup.js';
import { createMigrateEnv, type MigrateEnv } from '../integration/migrators/migrate-env.js';

let legacy: Upstream;
let next: Upstream;
let proc: ProxyProcess;
let env: MigrateEnv;
let browser: TestBrowser;
let port: number;
let adminPort: number;
let load: ReturnType<typeof startLoad> | undefined;
const shots = process.env.STRANGLER_SCREENSHOTS;

const ROWS = 250;
// What the page-side functions handed to page.evaluate use (the test's tsconfig has no DOM types).
declare const document: { cookie: string; querySelectorAll(s: string): Iterable<{ querySelector(s: string): { textContent: string | null } | null }>; documentElement: { scrollWidth: number } };
declare const localStorage: unknown;
declare const sessionStorage: unknown;
declare const location: { href: string };
declare const window: { innerWidth: number };

function upstream(name: 'legacy' | 'new'): Promise<Upstream> {
  return startUpstream((req, res) => {
    const id = /\/api\/users\/(\d+)/.exec(req.url ?? '')?.[1] ?? '0';
    res.setHeader('content-type', 'application/json');
    res.setHeader('x-served-by', name);
    // New answers like legacy but for the case of the name of even ids: one real difference.
    const body = { id: Number(id), name: name === 'new' && Number(id) % 2 === 0 ? `user ${id}` : `User ${id}`, plan: { tier: 'free', seats: 1 } };
    res.end(JSON.stringify(body));
  });
}

async function servedBy(id: number): Promise<string | null> {
  const res = await fetch(`http://127.0.0.1:${port}/api/users/${id}`, { headers: { 'x-user-id': `u${id}` } });
  await res.arrayBuffer();
  return res.headers.get('x-served-by');
}

async function shot(page: Page, name: string): Promise<void> {
  if (shots) await page.screenshot({ path: path.join(shots, `console-${name}.png`), fullPage: true });
}

beforeAll(async () => {
  [legacy, next] = await Promise.all([upstream('legacy'), upstream('new')]);
  [port, adminPort] = [await freePort(), await freePort()];
  env = await createMigrateEnv('console');
  await env.db.pool.query('CREATE TABLE items (id INT PRIMARY KEY, name VARCHAR(40) NOT NULL, updated_at DATETIME(6) NOT NULL)');
  const rows = Array.from({ length: ROWS }, (_, i) => [i + 1, `item ${i + 1}`, '2026-01-01 00:00:00']);
  await env.db.pool.query('INSERT INTO items (id, name, updated_at) VALUES ?', [rows]);
  env.writeConfig({ items: { kind: 'Item', updatedAt: 'updated_at' } });
  const doc = YAML.parse(fs.readFileSync(env.configFile, 'utf8')) as Record<string, unknown>;
  doc.proxy = {
    listen: `127.0.0.1:${port}`,
    admin: { listen: `127.0.0.1:${adminPort}`, token: TOKEN },
    backends: { legacy: { url: legacy.url }, new: { url: next.url } },
    stickiness: { header: 'x-user-id' },
    state: { store: 'file', path: './routes.json' },
    diffs: { store: 'file', path: './diffs.jsonl' },
    // The shadow worker at the proxy's priority: in SCHED_IDLE it gets no CPU while anything else runs.
    shadow: { workerNice: 0, workerIdle: false },
    routes: [
      // A guard that never acts here (it needs more answers than the test sends): the page shows its state.
      { name: 'users.get', match: { method: 'GET', path: '/api/users/:id' }, new: 0, shadow: 100, guard: { maxErrorRate: 100, maxP95Ms: 3_600_000, minRequests: 1_000_000 } },
      { name: 'items.list', match: { method: 'GET', path: '/api/items' }, new: 0, shadow: 0 },
    ],
  };
  fs.writeFileSync(env.configFile, YAML.stringify(doc));
  proc = await spawnProxy(env.configFile);
  browser = await launchBrowser();
}, 120_000);

afterAll(async () => {
  await load?.stop();
  await browser?.close();
  if (proc && proc.child.exitCode === null) {
    proc.child.kill('SIGTERM');
    await proc.exited;
  }
  await Promise.all([legacy?.close(), next?.close(), env?.close()]);
});

const consoleUrl = () => `http://127.0.0.1:${adminPort}/console/`;

test('a wrong token is refused, at the API and on the page', async () => {
  const res = await fetch(`${consoleUrl()}api/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ token: 'not-the-token-at-all' }) });
  expect(res.status).toBe(401);
  expect(res.headers.get('set-cookie')).toBeNull();
  expect((await fetch(`${consoleUrl()}api/routes`)).status).toBe(401);

  const page = await browser.context.newPage();
  await page.goto(consoleUrl());
  await page.getByLabel('Admin token').fill('not-the-token-at-all');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('alert').filter({ hasText: 'not the admin token' }).waitFor();
  expect(await browser.context.cookies()).toEqual([]);
  await page.close();
});

test('ops sign in, turn a dial with its confirmation, see it in the history and in the routing, and roll it back', async () => {
  for (let id = 1; id <= 40; id++) expect(await servedBy(id)).toBe('legacy');
  const diffFile = path.join(env.dir, 'diffs.jsonl');
  const records = () => (fs.existsSync(diffFile) ? fs.readFileSync(diffFile, 'utf8').split('\n').filter(Boolean).length : 0);
  await proc.until('40 diff records', () => records() >= 40, 30_000);
  load = startLoad(`http://127.0.0.1:${port}`, '/api/items', 1);

  const page = await browser.context.newPage();
  await page.goto(consoleUrl());
  await page.getByLabel('Admin token').fill(TOKEN);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('heading', { name: 'Routes', level: 1 }).waitFor();

  // The token is in no cookie the page can read, in no storage and not in the URL.
  const cookies = await browser.context.cookies();
  expect(cookies).toHaveLength(1);
  expect(cookies[0]).toMatchObject({ name: 'strangler_console', httpOnly: true, sameSite: 'Strict', path: '/console' });
  expect(cookies[0]!.value).not.toContain(TOKEN);
  const visible = await page.evaluate(() => ({ cookie: document.cookie, local: JSON.stringify(localStorage), session: JSON.stringify(sessionStorage), url: location.href }));
  expect(JSON.stringify(visible)).not.toContain(TOKEN);
  expect(visible.cookie).toBe('');

  const card = page.getByRole('article').filter({ has: page.getByRole('heading', { name: 'users.get' }) });
  await card.getByText('GET /api/users/:id').waitFor();
  expect(await card.locator('[data-dial="new"]').textContent()).toBe('0%');
  expect(await card.locator('[data-dial="source"]').textContent()).toBe('config');
  // The verdict is `strangler ready`'s gate over the diff records: half the pairs differ.
  await card.locator('.verdict[data-ready="false"]').filter({ hasText: /responses: \d+ pair\(s\) compared .*upper bound/ }).waitFor();
  // Live rates: the background load on items.list shows up as a rate on legacy.
  const items = page.getByRole('article').filter({ has: page.getByRole('heading', { name: 'items.list' }) });
  await items.locator('svg.spark').waitFor();
  await page.waitForFunction(() => [...document.querySelectorAll('article')].some((a) => a.querySelector('h2')?.textContent === 'items.list' && /\d\/s/.test(a.querySelector('.backend')?.textContent ?? '')));
  await shot(page, 'routes');

  // A change needs an author.
  await card.getByLabel('new %').fill('100');
  await card.getByRole('button', { name: 'Review change…' }).click();
  await card.getByRole('alert').filter({ hasText: 'Type your name' }).waitFor();
  await page.getByLabel('Your name').fill('Ada Ops');
  await card.getByRole('button', { name: 'Review change…' }).click();
  const dialog = page.getByRole('dialog', { name: 'Change users.get?' });
  await dialog.waitFor();
  const consequence = await dialog.getByRole('listitem').first().textContent();
  expect(consequence).toMatch(/^100% of users — about \d+ requests a minute — move to new \(new: 0% → 100%\)$/);
  await shot(page, 'confirm');
  await dialog.getByRole('button', { name: 'Confirm change' }).click();
  await card.locator('[data-dial="new"]').filter({ hasText: /^100%$/ }).waitFor();
  expect(await card.locator('[data-dial="source"]').textContent()).toBe('runtime');
  // The guard watches the new service now that it takes traffic: too few answers to judge yet.
  await card.locator('[data-guard="quiet"]').filter({ hasText: 'fewer than minRequests 1000000' }).waitFor();
  const history = card.getByRole('region', { name: 'History of users.get' });
  await history.getByRole('listitem').filter({ hasText: 'set by Ada Ops (console)' }).waitFor();
  expect(await history.getByRole('listitem').first().textContent()).toMatch(/new 0% → 100%/);

  // The same audited change the admin API makes, and the routing follows it.
  const audit = (await (await fetch(`http://127.0.0.1:${adminPort}/routes/users.get/history`, { headers: adminHeaders() })).json()) as { changes: { who: string; after: { new: number } }[] };
  expect(audit.changes[0]).toMatchObject({ who: 'Ada Ops (console)', after: { new: 100 } });
  for (let id = 1; id <= 10; id++) expect(await servedBy(id)).toBe('new');

  // A change without the CSRF token is refused, even from the signed-in page with its cookie.
  const forged = await page.evaluate(async () => {
    const r = await fetch('api/routes/users.get', { method: 'PATCH', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ new: 0, who: 'mallory' }) });
    return { status: r.status, body: (await r.json()) as { error: { code: string } } };
  });
  expect(forged).toMatchObject({ status: 403, body: { error: { code: 'STRANGLER_E_CONSOLE_CSRF' } } });
  expect(await servedBy(3)).toBe('new');

  // One-click rollback.
  await history.getByRole('button', { name: 'Roll back the last change' }).click();
  await card.locator('[data-dial="new"]').filter({ hasText: /^0%$/ }).waitFor();
  await history.getByRole('listitem').filter({ hasText: 'rollback of v1 by Ada Ops (console)' }).waitFor();
  for (let id = 1; id <= 10; id++) expect(await servedBy(id)).toBe('legacy');
  await page.close();
}, 180_000);

test('QA read the diffs ranked by field and open a pair side by side, both whole answers', async () => {
  const page = await browser.context.newPage();
  await page.goto(`${consoleUrl()}#/diffs`);
  await page.getByRole('heading', { name: 'Diffs', level: 1 }).waitFor();
  const card = page.getByRole('article').filter({ has: page.getByRole('heading', { name: 'users.get' }) });
  await card.waitFor();
  const compared = Number(await card.locator('[data-stat="compared"]').textContent());
  const matched = Number(await card.locator('[data-stat="matched"]').textContent());
  expect(compared).toBeGreaterThanOrEqual(40);
  expect(matched).toBeGreaterThan(0);
  expect(matched).toBeLessThan(compared);
  const row = card.getByRole('row').filter({ hasText: '/name' });
  expect(await row.getByRole('cell').nth(1).textContent()).toBe('changed ' + String(compared - matched));
  expect(await page.getByRole('link', { name: 'Export the HTML report' }).getAttribute('href')).toBe('api/diffs/report.html');
  const exported = await page.evaluate(async () => {
    const r = await fetch('api/diffs/report.html');
    return { type: r.headers.get('content-type'), text: await r.text() };
  });
  expect(exported.type).toMatch(/text\/html/);
  expect(exported.text).toContain('users.get');

  // The field filter keeps only pairs where /name differs: every one of them a mismatch.
  await card.getByRole('button', { name: '/name' }).click();
  await page.getByRole('link', { name: 'Export the HTML report' }).and(page.locator('[href*="field="]')).waitFor();
  await page.waitForFunction(() => {
    const a = [...document.querySelectorAll('article')].find((x) => x.querySelector('h2')?.textContent === 'users.get');
    return a && a.querySelector('[data-stat="matched"]')?.textContent === '0';
  });
  await shot(page, 'diffs');

  await card.getByRole('link', { name: 'Pair 1 where /name differs' }).click();
  await page.getByRole('heading', { name: /^GET \/api\/users\/\d+$/ }).waitFor();
  expect(await page.locator('[data-side-status="legacy"]').textContent()).toBe('200');
  expect(await page.locator('[data-side-status="new"]').textContent()).toBe('200');
  const diffRow = page.getByRole('row').filter({ has: page.getByRole('rowheader', { name: /\/name/ }) });
  const [left, right] = [await diffRow.getByRole('cell').nth(0).textContent(), await diffRow.getByRole('cell').nth(1).textContent()];
  expect(left).toMatch(/^"User \d+"$/);
  expect(right).toMatch(/^"user \d+"$/);
  // Both whole bodies, side by side, pretty-printed; only the field that differs is marked.
  for (const [side, name] of [['legacy', /^"name": "User \d+"$/], ['new', /^"name": "user \d+"$/]] as const) {
    const body = page.locator(`pre[data-body="${side}"]`);
    expect(await body.textContent()).toMatch(/^\{\n {2}"id": \d+,\n {2}"name": "[Uu]ser \d+",\n {2}"plan": \{\n {4}"tier": "free",\n {4}"seats": 1\n {2}\}\n\}$/);
    expect(await body.locator('mark').allTextContents()).toEqual([expect.stringMatching(name)]);
  }
  // Every header of both answers, not only the compared ones.
  const servedBy = page.getByRole('row').filter({ has: page.getByRole('rowheader', { name: 'x-served-by' }) });
  expect(await servedBy.getByRole('cell').allTextContents()).toEqual(['legacy', 'new']);
  await shot(page, 'pair');
  // On a phone the two answers stack and the page fits the width (long lines scroll in their box).
  await page.setViewportSize({ width: 390, height: 844 });
  expect(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth)).toBe(true);
  const [legacyBox, newBox] = [await page.locator('pre[data-body="legacy"]').boundingBox(), await page.locator('pre[data-body="new"]').boundingBox()];
  expect(newBox!.y).toBeGreaterThanOrEqual(legacyBox!.y + legacyBox!.height);
  await page.close();
}, 120_000);

test('engineers see a migration\'s progress and its last verify from the checkpoint store; sign-out ends the session', async () => {
  const page = await browser.context.newPage();
  await page.goto(`${consoleUrl()}#/migrations`);
  await page.getByRole('heading', { name: 'Migrations', level: 1 }).waitFor();
  await page.getByText('Not started: items').waitFor();
  const run = await env.cli('migrate', 'run', '-c', env.configFile);
  expect(run).toMatchObject({ code: 0 });
  await page.locator(`[data-rows="items"]`).filter({ hasText: `${ROWS} / ${ROWS}` }).waitFor();
  const row = page.locator('tr[data-table="items"]');
  expect(await row.getByRole('cell').first().textContent()).toBe('done');
  expect(await row.getByRole('cell').nth(4).textContent()).toBe('0');
  expect(await row.getByRole('cell').nth(7).textContent()).toBe('never');
  // A verify's result lands in the checkpoint store, and the page shows it at its next poll.
  expect(await env.cli('migrate', 'verify', '-c', env.configFile)).toMatchObject({ code: 0 });
  await row.locator('[data-verify="items"]').filter({ hasText: /^clean, / }).waitFor();
  await shot(page, 'migrations');

  // On a phone the pages fit the width (tables scroll inside their own box).
  await page.setViewportSize({ width: 390, height: 844 });
  await page.goto(`${consoleUrl()}#/routes`);
  await page.getByRole('heading', { name: 'users.get' }).waitFor();
  expect(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth)).toBe(true);
  await shot(page, 'routes-phone');
  // The Diffs and Migrations pages too, once their content is in (a card, a table's row).
  for (const [hash, content] of [['#/diffs', page.getByRole('heading', { name: 'users.get' })], ['#/migrations', page.locator('[data-verify="items"]')]] as const) {
    await page.goto(`${consoleUrl()}${hash}`);
    await content.waitFor();
    expect(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth)).toBe(true);
  }
  await page.setViewportSize({ width: 1280, height: 900 });

  await page.getByRole('button', { name: 'Sign out' }).click();
  await page.getByLabel('Admin token').waitFor();
  expect(await browser.context.cookies()).toEqual([]);
  const after = await page.evaluate(async () => (await fetch('api/routes')).status);
  expect(after).toBe(401);
  await page.close();
}, 180_000);
