/**
 * Diff engine throughput on ~2 KB JSON pairs, one core, against a baseline measured in the same run:
 * JSON.parse of both bodies + fast-deep-equal (the least any structural comparison must do). Then
 * ~80 KB server-rendered HTML pages (a PHP page with its noise: nonce, random hosts, a timestamp)
 * against parsing both pages with htmlparser2 (the least the structural HTML comparison must do).
 * Run: npx tsx bench/diff-engine.ts [seconds per case, default 2]
 * Target (PRODUCT.md): ≥ 20k diffs/s on one core, for each case.
 * The engine and the baseline run in alternating 50 ms slices, so a load that comes and goes hits
 * both alike; rates are given per second of wall time and per second of this process's CPU time
 * (what one core delivers, whatever else the machine runs).
 */
import equal from 'fast-deep-equal';
import { parseDocument } from 'htmlparser2';
import { diffRules } from '../config/diff-schema.js';
import { compareAnswers, type Answer } from '../diffs/engine.js';
import { compileRules } from '../diffs/rules.js';

const seconds = Number(process.argv[2] ?? 2);

function profile(i: number, variant: 'same' | 'reordered' | 'differs'): unknown {
  const friends = Array.from({ length: 24 }, (_, k) => ({ id: 1000 + k, name: `friend-${k}`, online: k % 2 === 0, since: `2024-0${(k % 9) + 1}-1${k % 10}` }));
  const doc: Record<string, unknown> = {
    id: 42 + i,
    name: 'Ann Example',
    email: 'ann@example.com',
    bio: 'Likes hiking, databases and long migration projects that nobody notices.',
    age: '31',
    score: 1234.5,
    tags: ['hiking', 'sql', 'php', 'datastore'],
    address: { street: '1 Main St', city: 'Oslo', zip: '0150', country: 'NO', geo: { lat: 59.91, lng: 10.75 } },
    settings: { theme: 'dark', notifications: { email: true, push: false, digest: 'weekly' }, locale: 'nb-NO' },
    friends,
    stats: { posts: 120, likes: 4031, followers: 310, following: 128 },
    meta: [],
    lastSeen: '2026-11-23T15:00:00Z',
  };
  if (variant === 'same') return doc;
  if (variant === 'reordered') return Object.fromEntries(Object.entries(doc).reverse());
  return { ...doc, age: 31, score: 1234.6, tags: ['sql', 'hiking', 'php', 'datastore'], meta: {}, friends: friends.map((f, k) => (k === 3 ? { ...f, online: !f.online } : f)), lastSeen: null };
}

function answer(v: unknown): Answer {
  return { status: 200, headers: { 'content-type': 'application/json' }, body: Buffer.from(JSON.stringify(v)) };
}

type Pair = [Answer, Answer];
const N = 200;
const cases: Record<string, Pair[]> = {
  'equal (same bytes)': Array.from({ length: N }, (_, i) => [answer(profile(i, 'same')), answer(profile(i, 'same'))]),
  'equal (keys reordered)': Array.from({ length: N }, (_, i) => [answer(profile(i, 'same')), answer(profile(i, 'reordered'))]),
  'a few differences': Array.from({ length: N }, (_, i) => [answer(profile(i, 'same')), answer(profile(i, 'differs'))]),
};
// Mixed: what a route close to ready looks like — mostly equal, some reformatted, one in ten differing.
// The same profile with one friend changed, under default rules: no arrayKeys, so the engine must tell
// a list changed in place from a list in another order (content-matched rows) by itself.
cases['one row differs, no rules'] = Array.from({ length: N }, (_, i) => {
  const doc = profile(i, 'same') as { friends: { online: boolean }[] };
  const next = { ...doc, friends: doc.friends.map((f, k) => (k === 7 ? { ...f, online: !f.online } : f)) };
  return [answer(doc), answer(next)];
});
cases['mixed (70/20/10)'] = Array.from({ length: N }, (_, i) => (i % 10 < 7 ? cases['equal (same bytes)']![i]! : i % 10 < 9 ? cases['equal (keys reordered)']![i]! : cases['a few differences']![i]!));

const rules = compileRules(diffRules.parse({ ignore: ['/lastSeen'], arrayKeys: { '/friends': 'id' } }));

interface Rate {
  wall: number;
  cpu: number;
}

/** Diffs per second of wall time and of CPU time, of `fn` and of `base`, in alternating slices. */
function rates(pairs: Pair[], fn: (a: Answer, b: Answer) => unknown, base: (a: Answer, b: Answer) => unknown): [Rate, Rate] {
  const fns = [fn, base];
  const done = [0, 0];
  const wall = [0, 0];
  const cpu = [0, 0];
  for (const f of fns) for (let i = 0; i < 500; i++) f(...pairs[i % pairs.length]!); // warm-up
  const until = performance.now() + 2 * seconds * 1000;
  let n = 0;
  while (performance.now() < until) {
    for (let s = 0; s < 2; s++) {
      const f = fns[s]!;
      const c0 = process.cpuUsage();
      const t0 = performance.now();
      const stop = t0 + 50;
      let k = 0;
      while (performance.now() < stop) for (let j = 0; j < 20; j++, k++) f(...pairs[n++ % pairs.length]!);
      const c = process.cpuUsage(c0);
      done[s]! += k;
      wall[s]! += performance.now() - t0;
      cpu[s]! += (c.user + c.system) / 1000;
    }
  }
  const rate = (s: number): Rate => ({ wall: (done[s]! * 1000) / wall[s]!, cpu: (done[s]! * 1000) / cpu[s]! });
  return [rate(0), rate(1)];
}

/** A blog page of ~80 KB: 64 posts with a few paragraphs each, and per-render noise. */
function page(seed: number, word = 'reading'): string {
  const posts = Array.from({ length: 64 }, (_, i) => `<article id="post-${i}" class="post"><h2 class="title"><a href="/post/${i}">Post number ${i}</a></h2>
<p class="meta">by <a href="/author/${i % 7}">author ${i % 7}</a> on 2026-11-${String((i % 28) + 1).padStart(2, '0')}</p>
<p>${'Paragraph text of a post about migrating a PHP monolith, one endpoint at a time. '.repeat(12)}</p>
<p class="lead">Thanks for ${word} this post.</p><ul class="tags"><li>php</li><li>mysql</li><li>datastore</li></ul></article>`);
  return `<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><meta name="csrf-token" content="n${seed.toString(16)}"><title>Legacy Blog</title>
<link rel="stylesheet" href="https://cdn${seed % 1000}.assets.test/site.css"><script>window.blog = { nonce: "n${seed.toString(16)}" };</script></head>
<body><header><h1 id="site-title">Legacy Blog</h1><img class="avatar" src="https://avatars${seed % 997}.example.test/u/7.png" alt="Ann"></header>
<main>${posts.join('\n')}</main><footer><span class="rendered">Rendered at 2026-12-04 23:12:05.${String(seed).padStart(6, '0')}</span></footer></body></html>`;
}

function html(text: string): Answer {
  return { status: 200, headers: { 'content-type': 'text/html; charset=UTF-8' }, body: Buffer.from(text) };
}

const htmlCases: Record<string, Pair[]> = {
  'HTML equal (same bytes)': Array.from({ length: 20 }, (_, i) => [html(page(i)), html(page(i))]),
  'HTML noise only': Array.from({ length: 20 }, (_, i) => [html(page(i)), html(page(i + 7919))]),
  'HTML noise + a word changed': Array.from({ length: 20 }, (_, i) => [html(page(i)), html(page(i + 7919, 'visiting'))]),
};

const baseline = (a: Answer, b: Answer) => equal(JSON.parse(a.body!.toString('utf8')), JSON.parse(b.body!.toString('utf8')));
const engine = (a: Answer, b: Answer) => compareAnswers(a, b, rules);

console.log(`pair size ≈ ${cases['equal (same bytes)']![0]![0].body!.length} bytes of JSON per side; ${seconds}s per measurement, one core`);
console.log(`sample diff: ${JSON.stringify(engine(...cases['a few differences']![0]!).differences.map((d) => `${d.kind} ${d.path}`))}`);
const k = (x: number) => `${(x / 1000).toFixed(1)}k`;
console.log('case                         engine/s wall  per CPU-s   baseline (parse+deep-equal)/s wall  per CPU-s   ratio (CPU)');
for (const [name, pairs] of Object.entries(cases)) {
  const [e, b] = rates(pairs, engine, baseline);
  console.log(`${name.padEnd(29)}${k(e.wall).padStart(13)}${k(e.cpu).padStart(11)}${k(b.wall).padStart(36)}${k(b.cpu).padStart(11)}${(e.cpu / b.cpu).toFixed(2).padStart(13)}×`);
}

const htmlBaseline = (a: Answer, b: Answer) => [parseDocument(a.body!.toString('utf8')), parseDocument(b.body!.toString('utf8'))];
console.log(`\nHTML page ≈ ${(htmlCases['HTML equal (same bytes)']![0]![0].body!.length / 1024).toFixed(0)} KB per side; baseline: htmlparser2 parseDocument of both pages`);
console.log(`sample diff: ${engine(...htmlCases['HTML noise + a word changed']![0]!).differences.length} differences (${engine(...htmlCases['HTML noise + a word changed']![0]!).differences.slice(0, 3).map((d) => d.path).join(', ')}, …)`);
console.log('case                         engine/s wall  per CPU-s   baseline (parse both)/s wall        per CPU-s   ratio (CPU)');
const n1 = (x: number) => x.toFixed(0);
for (const [name, pairs] of Object.entries(htmlCases)) {
  const [e, b] = rates(pairs, engine, htmlBaseline);
  console.log(`${name.padEnd(29)}${n1(e.wall).padStart(13)}${n1(e.cpu).padStart(11)}${n1(b.wall).padStart(36)}${n1(b.cpu).padStart(11)}${(e.cpu / b.cpu).toFixed(2).padStart(13)}×`);
}
