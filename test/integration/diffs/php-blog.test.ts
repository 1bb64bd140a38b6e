/**
 * Diffs on a real server-rendered PHP app (test/support/php-blog under `php -S`) with real noise: a
 * random asset host and avatar host, a per-request nonce, a render timestamp, pages that create a
 * draft on GET. Requests go through the proxy (shadow 100%, noise warm-up), the diff sink compares and
 * stores the pairs in a JSONL file, and `strangler diffs report` judges them:
 * - shadowed against itself, every route is ready after the warm-up, the page that writes on GET is
 *   listed, and an excluded page is neither mirrored nor re-asked;
 * - against a copy with one word changed in one template (and one in another), those routes are not
 *   ready and their top field points at the changed element; a field that is noise on one page of a
 *   catch-all route (the editor's title) is still a real difference on another page (about).
 */
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { bufferIo } from '../../../cli/io.js';
import { runCli } from '../../../cli/program.js';
import type { RouteReport } from '../../../diffs/report/compute.js';
import { createDiffSink } from '../../../diffs/sink.js';
import { createFileDiffStore } from '../../../diffs/store-file.js';
import { startPhpServer, type PhpServer } from '../../../local-servers/php.js';
import { proxyConfig, startTestProxy } from '../proxy/setup.js';

const APP = path.join(path.dirname(fileURLToPath(import.meta.url)), '../../support/php-blog');
const ROUTES = [
  { name: 'home', match: { method: 'GET', path: '/' }, shadow: 100 },
  { name: 'post', match: { method: 'GET', path: '/post/:id' }, shadow: 100 },
  { name: 'pages', match: { method: 'GET', path: '/*' }, shadow: 100 },
];
const PER_PAGE = 40;

let dir: string;
let data: string;
const servers: PhpServer[] = [];
let legacy: PhpServer;
let same: PhpServer;
let changed: PhpServer;

async function php(root: string): Promise<PhpServer> {
  const s = await startPhpServer({ router: path.join(root, 'router.php'), env: { BLOG_DATA: data }, healthPath: '/health', workers: 4 });
  servers.push(s);
  return s;
}

beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'strangler-php-blog-'));
  data = path.join(dir, 'data');
  cpSync(APP, path.join(dir, 'changed'), { recursive: true });
  mkdirSync(data);
  // One word changed in the post template, one in the about page.
  const edit = (file: string, from: string, to: string) => {
    const p = path.join(dir, 'changed', 'templates', file);
    const text = readFileSync(p, 'utf8');
    expect(text).toContain(from);
    writeFileSync(p, text.replace(from, to));
  };
  edit('post.php', 'Thanks for reading', 'Thanks for visiting');
  edit('about.php', 'About this blog', 'About the blog');
  [legacy, same, changed] = await Promise.all([php(APP), php(APP), php(path.join(dir, 'changed'))]);
}, 60_000);

afterAll(async () => {
  await Promise.all(servers.map((s) => s.stop()));
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** Browses the pages through a proxy in front of legacy and `next`; resolves once every mirrored pair is stored. */
async function shadowRun(name: string, next: PhpServer, pages: string[], expectedRecords: number, exclude: Record<string, string[]> = {}): Promise<string> {
  const file = path.join(dir, `${name}.jsonl`);
  let stored = 0;
  let allStored!: () => void;
  const done = new Promise<void>((resolve) => (allStored = resolve));
  const sink = createDiffSink({
    rulesFor: () => undefined,
    patternFor: (route) => ROUTES.find((r) => r.name === route)?.match.path,
    store: createFileDiffStore({ path: file, maxFileBytes: 64 * 1024 * 1024, maxFiles: 1 }),
    onRecord: () => {
      if (++stored === expectedRecords) allStored();
    },
  });
  const proxy = await startTestProxy(proxyConfig(legacy.url, next.url, { routes: ROUTES, shadow: { noiseSample: 5, noiseWarmup: 10, exclude } }), undefined, sink);
  try {
    let i = 0;
    const worker = async () => {
      while (i < pages.length) {
        const page = pages[i++]!;
        const res = await fetch(proxy.url + page);
        expect(res.status).toBe(200);
        await res.text();
      }
    };
    await Promise.all([worker(), worker(), worker(), worker()]);
    await done;
  } finally {
    await proxy.stop();
    await sink.close();
  }
  expect(stored).toBe(expectedRecords);
  return file;
}

function traffic(extra: string[] = []): string[] {
  const pages: string[] = [];
  for (let i = 0; i < PER_PAGE; i++) pages.push('/', `/post/${1 + (i % 8)}`, '/about', '/editor', '/feed.xml');
  return [...pages, ...extra];
}

async function report(file: string, format = 'json') {
  const io = bufferIo();
  const code = await runCli(['diffs', 'report', '--file', file, '--format', format, '--min-compared', '30', '--max-mismatch', '10'], io);
  return { code, out: io.out(), err: io.err() };
}

function byRoute(out: string): Record<string, RouteReport> {
  return Object.fromEntries((JSON.parse(out).routes as RouteReport[]).map((r) => [r.route, r]));
}

test('shadowed against itself: every route is ready after the warm-up; the GET that writes is listed; an excluded page is never mirrored', async () => {
  const drafts = () => readFileSync(path.join(data, 'drafts.log'), 'utf8').split('\n').filter((l) => l === '/drafts/new').length;
  const file = await shadowRun('self', same, traffic(Array.from({ length: 10 }, () => '/drafts/new')), 5 * PER_PAGE, { pages: ['/drafts/new'] });
  // Ten user requests to the excluded page made ten drafts: no mirrored call, no second ask.
  expect(drafts()).toBe(10);
  const r = await report(file);
  const routes = byRoute(r.out);
  for (const name of ['home', 'post', 'pages']) expect({ name, ready: routes[name]!.ready, reasons: routes[name]!.reasons }).toEqual({ name, ready: true, reasons: [] });
  expect(r.code).toBe(0);
  expect([routes.home!.compared, routes.post!.compared, routes.pages!.compared]).toEqual([PER_PAGE, PER_PAGE, 3 * PER_PAGE]);
  // The noise is known by field, each with its rates; the samples are enough on every template.
  const noise = routes.post!.noiseFields.map((f) => f.path);
  expect(noise).toEqual(expect.arrayContaining(['html>head>link@href', 'html>head>meta@content', 'html>body>header>img.avatar@src', 'html>body>footer>span.rendered/#text']));
  expect(routes.pages!.noise).toMatchObject({ templates: 3, enough: true });
  expect(routes.pages!.noise.samples).toBeGreaterThanOrEqual(30);
  // The editor made a draft on each GET: listed as a write, with what changed; nothing else is.
  expect(routes.pages!.writeSuspects.map((w) => w.path)).toEqual(['/editor']);
  expect(routes.pages!.writeSuspects[0]!.change).toMatch(/^html>body>main>/);
  expect(routes.post!.writeSuspects).toEqual([]);
}, 180_000);

test('one word changed in one template: that route is not ready and its top field points at the changed element; a noisy page does not hide a change on another page', async () => {
  const file = await shadowRun('changed', changed, traffic(), 5 * PER_PAGE);
  const r = await report(file);
  expect(r.code).toBe(1);
  const routes = byRoute(r.out);
  expect(routes.home!.ready).toBe(true);
  expect(routes.post).toMatchObject({ ready: false, mismatched: PER_PAGE });
  const top = routes.post!.topFields[0]!;
  expect(top.path).toBe('html>body>main>article#post-*>p.lead/#text');
  expect(top.examples![0]).toMatchObject({ legacy: 'Thanks for reading this post.', new: 'Thanks for visiting this post.' });
  // A route without a wildcard is one template: its pattern.
  expect(top.templates!.map((t) => t.template)).toEqual(['/post/:id']);
  // pages: the title differs on every editor page (a new draft id each time: noise there), and on the
  // about page only in the changed copy: real there, and the route is not ready.
  expect(routes.pages).toMatchObject({ ready: false, mismatched: PER_PAGE });
  expect(routes.pages!.topFields[0]).toMatchObject({ path: 'html>body>main>h2.title/#text', count: PER_PAGE, templates: [{ template: '/about', count: PER_PAGE }] });
  expect(routes.pages!.noiseFields.find((f) => f.path === 'html>body>main>h2.title/#text')?.templates?.map((t) => t.template)).toEqual(['/editor']);
  // The HTML report shows the pair side by side with the changed word highlighted.
  const html = await report(file, 'html');
  expect(html.out).toContain('Thanks for <mark class="del">read</mark>ing this post.');
  expect(html.out).toContain('Thanks for <mark class="ins">visit</mark>ing this post.');
  expect(html.out).toContain('<code>/about</code> — 40 record(s)');
}, 180_000);
