/**
 * Narrows two reconciled documents to what differs before the diff library walks them: after the
 * pre-walk, equal subtrees are one shared value on both sides, and jsondiffpatch still visits each of
 * them (one context per member and per array item). Narrowing keeps the same paths and the same
 * delta, but a 2 KB answer with one changed field is diffed as a small one:
 * - two objects keep only their members that are not the same value (recursively);
 * - two arrays whose items all match position by position, as the library's own matcher would match
 *   them (the same value, or two objects with the same hash), have no move, insertion or removal for
 *   the library to find: its delta is then the items' own deltas. They become "sparse" objects
 *   holding the differing items by index; delta.ts reads a sparse object's delta as the array's.
 * Arrays that may hold moves are left whole, items included (their items may be reported as values).
 *
 * Every object the library walks has no prototype. It reads a member missing on one side as
 * `other[name]`, which on a plain object finds Object.prototype's: a "constructor" on one side only
 * threw ("functions are not supported") and a "toString" added on the new side went unreported.
 */
import { itemKeys } from './reconcile.js';

type Plain = Record<string, unknown>;

/** Sets a member as JSON.parse does: "__proto__" is an own property, not the prototype. */
function setMember(o: Plain, k: string, v: unknown): void {
  if (k === '__proto__') Object.defineProperty(o, k, { value: v, enumerable: true, writable: true, configurable: true });
  else o[k] = v;
}

/** jsondiffpatch's matchItems at one index, with our objectHash (json-diff.ts): key, else position. */
function matchAt(x: unknown, y: unknown): boolean {
  return x === y || (typeof x === 'object' && typeof y === 'object' && itemKeys.get(x as object) === itemKeys.get(y as object));
}

/** A copy without a prototype, all the way down, that keeps the match keys the pre-walk gave its items. */
function bare(v: unknown): unknown {
  if (typeof v !== 'object' || v === null) return v;
  let out: unknown;
  if (Array.isArray(v)) out = v.map(bare);
  else {
    const o: Plain = Object.create(null);
    for (const k in v) o[k] = bare((v as Plain)[k]);
    out = o;
  }
  const key = itemKeys.get(v);
  if (key !== undefined) itemKeys.set(out as object, key);
  return out;
}

function narrowObjects(l: Plain, r: Plain, sparse: Set<object>): [Plain, Plain] {
  const nl: Plain = Object.create(null);
  const nr: Plain = Object.create(null);
  for (const k in l) {
    if (!Object.hasOwn(r, k)) setMember(nl, k, l[k]);
    else if (l[k] !== r[k]) {
      const [x, y] = narrowPair(l[k], r[k], sparse);
      setMember(nl, k, x);
      setMember(nr, k, y);
    }
  }
  for (const k in r) if (!Object.hasOwn(l, k)) setMember(nr, k, r[k]);
  return [nl, nr];
}

function narrowArrays(l: unknown[], r: unknown[], sparse: Set<object>): [unknown, unknown] {
  const n = l.length;
  // Left whole for the library's own matching, which walks into matched items.
  if (n !== r.length) return [bare(l), bare(r)];
  for (let i = 0; i < n; i++) if (!matchAt(l[i], r[i])) return [bare(l), bare(r)];
  const sl: Plain = Object.create(null);
  const sr: Plain = Object.create(null);
  for (let i = 0; i < n; i++) {
    if (l[i] === r[i]) continue;
    const [x, y] = narrowPair(l[i], r[i], sparse);
    sl[i] = x;
    sr[i] = y;
  }
  sparse.add(sl);
  return [sl, sr];
}

/**
 * The two values narrowed to what differs; `sparse` collects the objects that stand for arrays
 * (delta.ts needs them to report in the array's order).
 */
export function narrowPair(l: unknown, r: unknown, sparse: Set<object>): [unknown, unknown] {
  if (typeof l !== 'object' || typeof r !== 'object' || l === null || r === null || l === r) return [l, r];
  const al = Array.isArray(l);
  if (al !== Array.isArray(r)) return [l, r];
  return al ? narrowArrays(l as unknown[], r as unknown[], sparse) : narrowObjects(l as Plain, r as Plain, sparse);
}
