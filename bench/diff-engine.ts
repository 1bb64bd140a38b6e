/**
 * Diff engine throughput on ~2 KB JSON pairs, one core, against a baseline measured in the same run:
 * JSON.parse of both bodies + fast-deep-equal (the least any structural comparison must do).
 * Run: npx tsx bench/diff-engine.ts [seconds per case, default 2]
 * Target (PRODUCT.md): ≥ 20k diffs/s on the mixed case.
 */
import equal from 'fast-deep-equal';
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
cases['mixed (70/20/10)'] = Array.from({ length: N }, (_, i) => (i % 10 < 7 ? cases['equal (same bytes)']![i]! : i % 10 < 9 ? cases['equal (keys reordered)']![i]! : cases['a few differences']![i]!));

const rules = compileRules(diffRules.parse({ ignore: ['/lastSeen'], arrayKeys: { '/friends': 'id' } }));

function rate(pairs: Pair[], fn: (a: Answer, b: Answer) => unknown): number {
  for (let i = 0; i < 500; i++) fn(...pairs[i % pairs.length]!); // warm-up
  let n = 0;
  const until = performance.now() + seconds * 1000;
  const start = performance.now();
  while (performance.now() < until) {
    for (let k = 0; k < 100; k++) fn(...pairs[n++ % pairs.length]!);
  }
  return n / ((performance.now() - start) / 1000);
}

const baseline = (a: Answer, b: Answer) => equal(JSON.parse(a.body!.toString('utf8')), JSON.parse(b.body!.toString('utf8')));
const engine = (a: Answer, b: Answer) => compareAnswers(a, b, rules);

console.log(`pair size ≈ ${cases['equal (same bytes)']![0]![0].body!.length} bytes of JSON per side; ${seconds}s per measurement, one core`);
console.log(`sample diff: ${JSON.stringify(engine(...cases['a few differences']![0]!).differences.map((d) => `${d.kind} ${d.path}`))}`);
console.log('case                      engine diffs/s   baseline (parse+deep-equal)/s   ratio');
for (const [name, pairs] of Object.entries(cases)) {
  const b = rate(pairs, baseline);
  const e = rate(pairs, engine);
  console.log(`${name.padEnd(26)}${Math.round(e).toString().padStart(14)}   ${Math.round(b).toString().padStart(29)}   ${(e / b).toFixed(2)}×`);
}
