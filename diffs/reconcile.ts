/**
 * The pre-walk before the structural diff: walks the two parsed documents side by side and applies
 * what the diff library cannot know about — ignored paths, unordered arrays, key-matched arrays, the
 * number tolerance and the PHP normalisers — counting what each one absorbed. It rewrites the (freshly
 * parsed, never shared) documents in place, so what remains different is exactly what the rules let
 * through. The structural diff itself is jsondiffpatch's (json-diff.ts).
 */
import { jsonEqual } from './json-equal.js';
import type { NormaliseCounts } from './types.js';
import { arrayKeyAt, isIgnored, isUnordered, type CompiledRules } from './rules.js';

/**
 * Objects in key-matched (or permuted) arrays → their match key. jsondiffpatch's objectHash reads it
 * (json-diff.ts), which clears it after each diff: a Map is cheaper than a WeakMap, and a diff is
 * synchronous, so no two diffs share it.
 */
export const itemKeys = new Map<object, string>();

interface Walk {
  rules: CompiledRules;
  counts: NormaliseCounts;
  segs: string[];
}

type Plain = Record<string, unknown>;

const NUMERIC = /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?$/;

export function isNumericString(v: unknown): v is string {
  return typeof v === 'string' && v.length > 0 && v.length < 40 && NUMERIC.test(v);
}

function isPlainObject(v: unknown): v is Plain {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function isEmptyObject(v: unknown): boolean {
  if (!isPlainObject(v)) return false;
  for (const _ in v) return false;
  return true;
}

function withinTolerance(a: number, b: number, tolerance: number): boolean {
  return tolerance > 0 && Math.abs(a - b) <= tolerance * Math.max(Math.abs(a), Math.abs(b));
}

/** A stable text for sorting unordered arrays, blind to what the enabled normalisers absorb. */
function canonical(v: unknown, w: Walk): string {
  const n = w.rules.normalise;
  if (Array.isArray(v)) {
    if (v.length === 0 && n.emptyArrayObject) return '{}';
    return '[' + v.map((x) => canonical(x, w)).join(',') + ']';
  }
  if (isPlainObject(v)) {
    const keys = Object.keys(v)
      .filter((k) => !(n.nullMissing && v[k] === null))
      .sort();
    return '{' + keys.map((k) => JSON.stringify(k) + ':' + canonical(v[k], w)).join(',') + '}';
  }
  if (n.numericStrings && isNumericString(v)) return String(Number(v));
  return JSON.stringify(v) ?? 'undefined';
}

function keyOf(item: unknown, key: string, w: Walk): string | undefined {
  if (!isPlainObject(item) || !Object.hasOwn(item, key)) return undefined;
  const v = item[key];
  if (typeof v === 'number' || (w.rules.normalise.numericStrings && isNumericString(v))) return `k:${Number(v)}`;
  return `k:${JSON.stringify(v)}`;
}

/**
 * Sorts an unordered array by its items' match key, then their canonical text. Both are computed once
 * per item (the text only when keys tie), not once per comparison: the order is the same.
 */
function sortUnordered(arr: unknown[], key: string | undefined, w: Walk): void {
  const items = arr.map((x) => ({ x, k: key === undefined ? '' : (keyOf(x, key, w) ?? ''), c: undefined as string | undefined }));
  const text = (item: (typeof items)[number]) => (item.c ??= canonical(item.x, w));
  items.sort((p, q) => {
    if (p.k !== q.k) return p.k < q.k ? -1 : 1;
    const a = text(p);
    const b = text(q);
    return a < b ? -1 : a > b ? 1 : 0;
  });
  for (let i = 0; i < arr.length; i++) arr[i] = items[i]!.x;
}

/**
 * For two lists of objects that hold the same items in another order (rows from a query without ORDER
 * BY), a key per item: its canonical text. Items then match by content, and the diff library reports
 * one "order" difference instead of a change at every position. Undefined for anything else.
 * Canonical texts are dear (sorted keys, strings built): items equal at the same position have the
 * same text on both sides, so only the other positions decide, and all texts are built only for a
 * list found to be a permutation.
 */
function permutationKeys(a: unknown[], b: unknown[], w: Walk): ((item: unknown) => string | undefined) | undefined {
  if (a.length !== b.length || a.length < 2) return undefined;
  if (!a.some((x) => typeof x === 'object' && x !== null)) return undefined; // primitives: the library finds their moves
  if (w.rules.ignore.length > 0) {
    for (let i = 0; i < a.length; i++) if (isIgnored(w.rules, [...w.segs, String(i)])) return undefined;
  }
  const differing: number[] = [];
  for (let i = 0; i < a.length; i++) if (!jsonEqual(a[i], b[i])) differing.push(i);
  const ca = differing.map((i) => canonical(a[i], w));
  const cb = differing.map((i) => canonical(b[i], w));
  if (ca.every((c, k) => c === cb[k])) return undefined; // same order: compare by position
  ca.sort();
  cb.sort();
  if (!ca.every((c, k) => c === cb[k])) return undefined;
  const texts = new Map<unknown, string>();
  for (const x of a) if (typeof x === 'object' && x !== null) texts.set(x, canonical(x, w));
  for (const x of b) if (typeof x === 'object' && x !== null) texts.set(x, canonical(x, w));
  return (item) => {
    const c = texts.get(item);
    return c === undefined ? undefined : `c:${c}`;
  };
}

/** A key's value as keyOf compares it: a number for numbers (and numeric strings), else the key text. */
function keyValue(item: unknown, key: string, w: Walk): number | string | undefined {
  if (!isPlainObject(item) || !Object.hasOwn(item, key)) return undefined;
  const v = item[key];
  if (typeof v === 'number' || (w.rules.normalise.numericStrings && isNumericString(v))) return Number(v);
  return typeof v === 'string' ? v : undefined;
}

/**
 * Two key-matched lists whose items hold the same keys in the same order, each key once (the usual
 * case: the same rows, in the same order): keyed matching pairs each item with the one at its own
 * position, and the diff library's position match agrees with its key match, so no key is needed.
 * Uniqueness is proven by the keys being strictly ascending or descending; anything else (other key
 * types, duplicates, another order) answers false and takes the general path.
 */
function keysInPlace(a: unknown[], b: unknown[], key: string, w: Walk): boolean {
  const n = a.length;
  if (n !== b.length) return false;
  let prev: number | string | undefined;
  let dir = 0;
  for (let i = 0; i < n; i++) {
    const k = keyValue(a[i], key, w);
    // Numbers compare as keyOf's texts do: String() is one-to-one on finite numbers, and 0 === -0.
    if (k === undefined || k !== keyValue(b[i], key, w) || (typeof k === 'number' && !Number.isFinite(k))) return false;
    if (i > 0) {
      if (typeof k !== typeof prev || k === prev) return false;
      const d = k > prev! ? 1 : -1;
      if (dir !== 0 && d !== dir) return false;
      dir = d;
    }
    prev = k;
  }
  return true;
}

function walkArrays(a: unknown[], b: unknown[], w: Walk): void {
  const key = w.rules.hasPatterns ? arrayKeyAt(w.rules, w.segs) : undefined;
  if (w.rules.hasPatterns && isUnordered(w.rules, w.segs)) {
    sortUnordered(a, key, w);
    sortUnordered(b, key, w);
  }
  if (key !== undefined && keysInPlace(a, b, key, w)) {
    for (let i = 0; i < a.length; i++) {
      w.segs.push(String(i));
      const r = reconcilePair(a[i], b[i], w);
      if (r !== undefined) {
        a[i] = r;
        b[i] = r;
      }
      w.segs.pop();
    }
    return;
  }
  const keyFn = key !== undefined ? (item: unknown) => keyOf(item, key, w) : permutationKeys(a, b, w);
  if (keyFn !== undefined) {
    const inB = new Map<string, number>();
    b.forEach((item, j) => {
      const k = keyFn(item);
      if (k === undefined) return;
      itemKeys.set(item as object, k);
      if (!inB.has(k)) inB.set(k, j);
    });
    a.forEach((item, i) => {
      const k = keyFn(item);
      if (k === undefined) return;
      itemKeys.set(item as object, k);
      const j = inB.get(k);
      if (j === undefined) return;
      w.segs.push(String(i));
      const r = reconcilePair(item, b[j], w);
      if (r !== undefined) {
        a[i] = r;
        b[j] = r;
      }
      w.segs.pop();
    });
    return;
  }
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    w.segs.push(String(i));
    if (w.rules.hasPatterns && isIgnored(w.rules, w.segs)) {
      a[i] = null;
      b[i] = null;
    } else {
      const x = a[i];
      const y = b[i];
      if (x !== y) {
        const r = reconcilePair(x, y, w);
        if (r !== undefined) {
          a[i] = r;
          b[i] = r;
        }
      }
    }
    w.segs.pop();
  }
}

function walkObjects(a: Plain, b: Plain, w: Walk): void {
  const { nullMissing } = w.rules.normalise;
  for (const k in a) {
    w.segs.push(k);
    if (w.rules.hasPatterns && isIgnored(w.rules, w.segs)) {
      delete a[k];
      delete b[k];
    } else if (!Object.hasOwn(b, k)) {
      if (nullMissing && a[k] === null) {
        delete a[k];
        w.counts.nullMissing++;
      }
    } else {
      const x = a[k];
      const y = b[k];
      if (x !== y) {
        const r = reconcilePair(x, y, w);
        if (r !== undefined) {
          a[k] = r;
          b[k] = r;
        }
      }
    }
    w.segs.pop();
  }
  for (const k in b) {
    if (Object.hasOwn(a, k)) continue;
    w.segs.push(k);
    if (w.rules.hasPatterns && isIgnored(w.rules, w.segs)) delete b[k];
    else if (nullMissing && b[k] === null) {
      delete b[k];
      w.counts.nullMissing++;
    }
    w.segs.pop();
  }
}

/**
 * Reconciles two values found at the same place. Returns the value both sides should hold when a
 * normaliser or the tolerance says they are equal, undefined otherwise (after walking into them).
 */
function reconcilePair(x: unknown, y: unknown, w: Walk): unknown {
  const { numericStrings, emptyArrayObject } = w.rules.normalise;
  const tx = typeof x;
  const ty = typeof y;
  if (tx === 'number' && ty === 'number') {
    if (withinTolerance(x as number, y as number, w.rules.numberTolerance)) {
      w.counts.numberTolerance++;
      return x;
    }
    return undefined;
  }
  if (numericStrings && ((tx === 'string' && ty === 'number') || (tx === 'number' && ty === 'string'))) {
    const s = tx === 'string' ? x : y;
    const num = (tx === 'number' ? x : y) as number;
    if (isNumericString(s) && (Number(s) === num || withinTolerance(Number(s), num, w.rules.numberTolerance))) {
      w.counts.numericStrings++;
      return x;
    }
    return undefined;
  }
  if (tx !== 'object' || ty !== 'object' || x === null || y === null) return undefined;
  // Equal subtrees need nothing absorbed: skip them (most of a document, when a route is close to
  // ready), and let both sides share one of them, so the diff library's first check (left === right)
  // skips them too.
  if (jsonEqual(x, y)) return x;
  const ax = Array.isArray(x);
  const ay = Array.isArray(y);
  if (ax && ay) walkArrays(x as unknown[], y as unknown[], w);
  else if (!ax && !ay) walkObjects(x as Plain, y as Plain, w);
  else if (emptyArrayObject && ((ax && (x as unknown[]).length === 0 && isEmptyObject(y)) || (ay && (y as unknown[]).length === 0 && isEmptyObject(x)))) {
    w.counts.emptyArrayObject++;
    return x;
  }
  return undefined;
}

/**
 * Applies the rules to two parsed documents (mutated in place) and returns them, possibly replaced at
 * the root (an ignored or normalised root).
 */
export function reconcile(legacy: unknown, next: unknown, rules: CompiledRules, counts: NormaliseCounts): [unknown, unknown] {
  const w: Walk = { rules, counts, segs: [] };
  if (rules.hasPatterns && isIgnored(rules, w.segs)) return [null, null];
  if (legacy === next) return [legacy, next];
  const r = reconcilePair(legacy, next, w);
  return r === undefined ? [legacy, next] : [r, r];
}
