/**
 * A seeded corpus of answer pairs for the diff engine: random documents of the shapes PHP and a new
 * service produce (ids, numeric strings, [] vs {}, nulls, lists of rows, nested maps), each paired
 * with a mutated copy (changed, removed, added, retyped values, keys and rows in another order) and a
 * set of rules. Deterministic: the golden test (engine-golden.test.ts) compares the engine's output on
 * it with outputs recorded before the engine was optimised, so CHANGING THIS FILE INVALIDATES THE
 * FIXTURE (the test checks a digest of the inputs and says so).
 */
import type { Answer } from '../../../diffs/engine.js';
import type { DiffOutcome } from '../../../diffs/types.js';

export interface CorpusCase {
  legacy: Answer;
  next: Answer;
  /** Index into CORPUS_RULES. */
  rules: number;
}

/** The rules each pair is compared under (diffRules input). */
export const CORPUS_RULES: unknown[] = [
  {},
  { ignore: ['/meta', '/rows/*/ts', '/friends/*/online', '/b/a'] },
  { unorderedArrays: ['/tags', '/rows', '/a/tags'] },
  { arrayKeys: { '/friends': 'id', '/rows': 'id' } },
  { numberTolerance: 0.01 },
  { normalise: { numericStrings: false, emptyArrayObject: false, nullMissing: false } },
  { ignore: ['/lastSeen', '/*/x'], arrayKeys: { '/friends': 'id' }, unorderedArrays: ['/tags'], numberTolerance: 0.001 },
  { ignore: ['/friends/*'], normalise: { nullMissing: false } },
  { unorderedArrays: ['/rows', '/friends', '/rows/*/tags'], arrayKeys: { '/friends': 'id', '/rows/*/tags': 'id' } },
];

type Rng = () => number;

function mulberry32(seed: number): Rng {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const int = (r: Rng, n: number) => Math.floor(r() * n);
const pick = <T>(r: Rng, xs: readonly T[]): T => xs[int(r, xs.length)]!;

const KEYS = ['id', 'name', 'age', 'tags', 'meta', 'rows', 'friends', 'a', 'b', 'x', 'price', 'lastSeen', 'a/b', 't~1', 'online', 'ts', 'n'];
const STRINGS = ['Ann', 'Bo', 'Cy', '', 'hello world', 'x', '0150', '42', '9.50', '1e3', '-7', 'ünïcødé', 'a"b\\c', 'true', 'null'];

function primitive(r: Rng): unknown {
  switch (int(r, 9)) {
    case 0:
      return int(r, 100);
    case 1:
      return Math.round(r() * 100000) / 100;
    case 2:
      return pick(r, STRINGS);
    case 3:
      return String(int(r, 1000));
    case 4:
      return r() < 0.5;
    case 5:
      return null;
    case 6:
      return [];
    case 7:
      return {};
    default:
      return -int(r, 50);
  }
}

function row(r: Rng, id: number, depth: number): Record<string, unknown> {
  const o: Record<string, unknown> = { id: r() < 0.2 ? String(id) : id, n: pick(r, STRINGS) };
  if (r() < 0.5) o.online = r() < 0.5;
  if (r() < 0.4) o.ts = int(r, 1e6);
  if (r() < 0.3 && depth < 3) o.tags = list(r, depth + 1);
  if (r() < 0.2) o.x = primitive(r);
  return o;
}

function list(r: Rng, depth: number): unknown[] {
  const n = int(r, 6);
  const kind = int(r, 3);
  if (kind === 0) return Array.from({ length: n }, () => primitive(r));
  if (kind === 1) return Array.from({ length: n }, () => pick(r, ['a', 'b', 'c', 'd', 1, 2, 3, '3']));
  return Array.from({ length: n }, (_, i) => row(r, 100 + i, depth + 1));
}

function value(r: Rng, depth: number): unknown {
  if (depth >= 3) return primitive(r);
  const k = int(r, 10);
  if (k < 5) return primitive(r);
  if (k < 7) return list(r, depth);
  return object(r, depth + 1);
}

function object(r: Rng, depth: number): Record<string, unknown> {
  const o: Record<string, unknown> = {};
  const n = 2 + int(r, 7);
  for (let i = 0; i < n; i++) {
    const key = pick(r, KEYS);
    if (key === 'friends' || key === 'rows') o[key] = Array.from({ length: int(r, 7) }, (_, j) => row(r, j + 1, depth));
    else if (key === 'tags') o[key] = list(r, depth);
    else o[key] = value(r, depth);
  }
  return o;
}

function clone<T>(v: T): T {
  return JSON.parse(JSON.stringify(v)) as T;
}

function shuffle<T>(r: Rng, xs: T[]): T[] {
  for (let i = xs.length - 1; i > 0; i--) {
    const j = int(r, i + 1);
    [xs[i], xs[j]] = [xs[j]!, xs[i]!];
  }
  return xs;
}

type Container = Record<string, unknown> | unknown[];

/** Every container in a document (the root included). */
function containers(v: unknown, out: Container[] = []): Container[] {
  if (typeof v !== 'object' || v === null) return out;
  out.push(v as Container);
  for (const x of Object.values(v)) containers(x, out);
  return out;
}

function reorderKeys(o: Record<string, unknown>, r: Rng): void {
  const entries = shuffle(r, Object.entries(o));
  for (const k of Object.keys(o)) delete o[k];
  for (const [k, v] of entries) o[k] = v;
}

function mutateOne(doc: unknown, r: Rng): void {
  const all = containers(doc);
  if (all.length === 0) return;
  const c = pick(r, all);
  if (Array.isArray(c)) {
    switch (int(r, 6)) {
      case 0:
        shuffle(r, c);
        return;
      case 1:
        c.reverse();
        return;
      case 2:
        if (c.length > 0) c.splice(int(r, c.length), 1);
        return;
      case 3:
        c.splice(int(r, c.length + 1), 0, c.length > 0 && r() < 0.5 ? clone(pick(r, c)) : primitive(r));
        return;
      case 4:
        if (c.length > 0) {
          const i = int(r, c.length);
          c[i] = mutatedValue(c[i], r);
        }
        return;
      default:
        for (const x of c) if (typeof x === 'object' && x !== null && !Array.isArray(x)) reorderKeys(x as Record<string, unknown>, r);
        return;
    }
  }
  const keys = Object.keys(c);
  switch (int(r, 6)) {
    case 0:
      reorderKeys(c, r);
      return;
    case 1:
      if (keys.length > 0) delete c[pick(r, keys)];
      return;
    case 2:
      c[pick(r, KEYS)] = value(r, 2);
      return;
    case 3:
      if (keys.length > 0) c[pick(r, keys)] = null;
      return;
    default:
      if (keys.length > 0) {
        const k = pick(r, keys);
        c[k] = mutatedValue(c[k], r);
      }
  }
}

/** A value changed the ways two backends differ: PHP-typed, slightly off, retyped, or plainly new. */
function mutatedValue(v: unknown, r: Rng): unknown {
  if (typeof v === 'number') {
    const k = int(r, 4);
    if (k === 0) return String(v);
    if (k === 1) return v * (1 + (r() - 0.5) / 500);
    if (k === 2) return v + 1;
    return v * (1 + (r() - 0.5) / 20);
  }
  if (typeof v === 'string') {
    if (v !== '' && Number.isFinite(Number(v)) && r() < 0.6) return Number(v);
    return r() < 0.5 ? v + '!' : int(r, 10);
  }
  if (Array.isArray(v) && v.length === 0) return r() < 0.7 ? {} : [1];
  if (v !== null && typeof v === 'object' && Object.keys(v).length === 0) return r() < 0.7 ? [] : { a: 1 };
  if (v === null) return r() < 0.5 ? 0 : 'null';
  return primitive(r);
}

function body(v: unknown, r: Rng): Buffer {
  const k = int(r, 20);
  if (k === 0) return Buffer.from(JSON.stringify(v, null, 2));
  if (k === 1) return Buffer.from('\ufeff' + JSON.stringify(v));
  return Buffer.from(JSON.stringify(v));
}

function answer(b: Buffer): Answer {
  return { status: 200, headers: { 'content-type': 'application/json' }, body: b };
}

/** The bench's ~2 KB profile document, and its three variants, for the corpus to cover that shape too. */
function profile(i: number, variant: number): unknown {
  const friends = Array.from({ length: 24 }, (_, k) => ({ id: 1000 + k, name: `friend-${k}`, online: k % 2 === 0, since: `2024-0${(k % 9) + 1}-1${k % 10}` }));
  const doc: Record<string, unknown> = {
    id: 42 + i,
    name: 'Ann Example',
    age: '31',
    score: 1234.5,
    tags: ['hiking', 'sql', 'php', 'datastore'],
    address: { street: '1 Main St', city: 'Oslo', zip: '0150', geo: { lat: 59.91, lng: 10.75 } },
    friends,
    meta: [],
    lastSeen: '2026-11-23T15:00:00Z',
  };
  if (variant === 0) return doc;
  if (variant === 1) return Object.fromEntries(Object.entries(doc).reverse());
  return { ...doc, age: 31, score: 1234.6, tags: ['sql', 'hiking', 'php', 'datastore'], meta: {}, friends: friends.map((f, k) => (k === 3 ? { ...f, online: !f.online } : f)), lastSeen: null };
}

/** Hand-picked pairs for the places where a shortcut could go wrong: [legacy body, new body, rules]. */
const EDGES: [string, string, number][] = [
  // Arrays whose items all match by position: a replaced item is reported before nested differences.
  ['{"l":[{"a":1},{"a":2},null,[1,2]]}', '{"l":[{"a":9},{"a":2},{"b":1},[2,1]]}', 0],
  ['[{"a":1},{"b":2},3]', '[{"a":2},{"b":2},3]', 0],
  ['[[1,2],[3,4],[5]]', '[[1,2],[4,3],[5,6]]', 0],
  ['{"l":[{"a":1},[1],null,{"x":{"y":[1,{"z":2}]}}]}', '{"l":[[1],{"a":1},{"a":1},{"x":{"y":[1,{"z":3}]}}]}', 0],
  ['{"l":[{"a":1},[1],null]}', '{"l":[{"a":1},[1],null,4]}', 0],
  ['{"l":[1,2,3]}', '{"l":[1,2,"3"]}', 5],
  ['{"friends":[{"id":1,"n":"a"},{"n":"nokey"},{"id":3,"n":"c"}]}', '{"friends":[{"id":1,"n":"A"},{"n":"nokey2"},{"id":3,"n":"c"}]}', 3],
  ['{"friends":[{"id":1,"n":"a","online":true},{"id":2,"n":"b"}]}', '{"friends":[{"id":1,"n":"a","online":false},{"id":2,"n":"B"}]}', 1],
  ['{"rows":[{"id":1,"tags":[{"x":1},{"x":2}]},{"id":2,"tags":[]}]}', '{"rows":[{"id":1,"tags":[{"x":1},{"x":3}]},{"id":2,"tags":{}}]}', 0],
  ['{"rows":[{"id":1,"tags":[{"x":1},{"x":2}]},{"id":2,"tags":[]}]}', '{"rows":[{"id":2,"tags":{}},{"id":1,"tags":[{"x":2},{"x":1}]}]}', 2],
  // Integer-like keys, escaped keys, keys only on one side, duplicate keys, "__proto__" below the root.
  ['{"b":1,"2":1,"1":[1],"a/b":{"c~d":1}}', '{"1":[2],"b":2,"3":1,"a/b":{"c~d":2}}', 0],
  ['{"a":1,"a":2,"n":{"x":1,"x":3}}', '{"a":2,"n":{"x":2}}', 0],
  ['{"n":{"__proto__":{"a":1},"b":1}}', '{"n":{"__proto__":{"a":2},"b":2}}', 0],
  ['{"n":[{"__proto__":1,"b":1}]}', '{"n":[{"__proto__":2,"b":1}]}', 0],
  // The same document, formatted differently or with keys in another order at every level.
  ['{"a":{"b":[1,{"c":2,"d":3}],"e":null}}', ' { "a" : { "e" : null , "b" : [ 1 , { "d" : 3 , "c" : 2 } ] } } ', 0],
  ['{"a":"\u0041","b":"é"}', '{"b":"\u00e9","a":"A"}', 0],
  ['{"a":1,"b":[]}', '{"b":[],"a":1,}', 0],
  ['{"a":1e2,"b":-0,"c":0.5}', '{"c":5e-1,"b":0,"a":100}', 0],
];

/** Lists of rows keyed by id (ascending, descending, string ids, duplicates), mutated as lists are. */
function rowsPair(r: Rng): [unknown, unknown] {
  const n = 2 + int(r, 9);
  const style = int(r, 5);
  const ids = Array.from({ length: n }, (_, i) => (style === 1 ? n - i : style === 2 ? `u-${String.fromCharCode(97 + i)}` : style === 3 ? 1 + int(r, 4) : style === 4 ? String(i * 7) : i * 10 + 995));
  const rows = ids.map((id) => ({ id, n: pick(r, STRINGS), ...(r() < 0.5 ? { online: r() < 0.5 } : {}), ...(r() < 0.3 ? { tags: list(r, 2) } : {}), ts: int(r, 100) }));
  const legacy = { rows, friends: clone(rows).slice(0, 1 + int(r, n)), total: n };
  const next = clone(legacy) as { rows: Record<string, unknown>[]; friends: Record<string, unknown>[] };
  const m = int(r, 8);
  const target = r() < 0.5 ? next.rows : next.friends;
  const i = int(r, target.length);
  if (m === 1) target[i]!.n = String(target[i]!.n) + '?';
  else if (m === 2 && target.length > 1) [target[0], target[target.length - 1]] = [target[target.length - 1]!, target[0]!];
  else if (m === 3) target.splice(i, 1);
  else if (m === 4) target.splice(i, 0, { id: 5000 + i, n: 'new', ts: 1 });
  else if (m === 5) target[i]!.id = typeof target[i]!.id === 'number' ? String(target[i]!.id) : target[i]!.id;
  else if (m === 6) shuffle(r, target);
  else if (m === 7) for (const x of target) reorderKeys(x, r);
  if (r() < 0.3) mutateOne(next, r);
  return [legacy, next];
}

export function buildCorpus(size = 1200, seed = 20261123): CorpusCase[] {
  const r = mulberry32(seed);
  const out: CorpusCase[] = [];
  for (let i = 0; i < size; i++) {
    const rules = int(r, CORPUS_RULES.length);
    if (i % 50 === 0) {
      out.push({ legacy: answer(Buffer.from(JSON.stringify(profile(i, 0)))), next: answer(Buffer.from(JSON.stringify(profile(i, 1 + (i % 100 === 0 ? 0 : 1))))), rules });
      continue;
    }
    const kind = int(r, 40);
    let legacy: unknown;
    if (kind === 0) legacy = list(r, 0);
    else if (kind === 1) legacy = primitive(r);
    else legacy = object(r, 0);
    const next = clone(legacy);
    let nextDoc: unknown = next;
    const mutations = int(r, 5); // 0 to 4: some pairs stay equal
    for (let m = 0; m < mutations; m++) mutateOne(nextDoc, r);
    if (int(r, 60) === 0) nextDoc = primitive(r); // the whole document replaced
    let nb = body(nextDoc, r);
    if (int(r, 80) === 0) nb = Buffer.from('<b>Warning</b>: ' + nb.toString('utf8').slice(0, 20));
    let lb = body(legacy, r);
    if (int(r, 150) === 0) lb = Buffer.from(lb.toString('utf8').slice(0, -1) + ' x'); // not JSON either
    out.push({ legacy: answer(lb), next: answer(nb), rules });
  }
  for (let i = 0; i < 400; i++) {
    const [legacy, next] = rowsPair(r);
    out.push({ legacy: answer(body(legacy, r)), next: answer(body(next, r)), rules: pick(r, [0, 0, 1, 2, 3, 3, 3, 6, 7, 8, 8]) });
  }
  for (const [l, n, rules] of EDGES) out.push({ legacy: answer(Buffer.from(l)), next: answer(Buffer.from(n)), rules });
  return out;
}

/** An outcome as text: key order kept, explicit undefined values told apart from absent keys. */
/** What the fixture records: the differences and counts, not the parsed bodies handed on beside them. */
export function compared(o: DiffOutcome): Omit<DiffOutcome, 'json'> {
  const { json: _bodies, ...rest } = o;
  return rest;
}

export function outcomeText(outcome: unknown): string {
  return JSON.stringify(outcome, (_k, v: unknown) => (v === undefined ? '«undefined»' : Object.is(v, -0) ? '«-0»' : v));
}

/** A digest of the corpus's inputs, so a changed generator cannot pass for a changed engine. */
export function corpusDigest(cases: readonly CorpusCase[], hash: (text: string) => string): string {
  return hash(cases.map((c) => `${c.rules}\u0000${c.legacy.body!.toString('base64')}\u0000${c.next.body!.toString('base64')}`).join('\n'));
}
