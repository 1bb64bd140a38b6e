/**
 * Deep equality of two parsed JSON values (plain objects, arrays, strings, numbers, booleans, null):
 * the engine's cheap fast path, run over most of every compared document. Written for JSON only, it
 * does without what a general deep-equal pays for (constructor, valueOf and toString checks, key
 * arrays): key order is not significant, and a member's name is never mistaken for a method.
 */
export function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  const isArray = Array.isArray(a);
  if (isArray !== Array.isArray(b)) return false;
  if (isArray) {
    const x = a as unknown[];
    const y = b as unknown[];
    const n = x.length;
    if (n !== y.length) return false;
    for (let i = 0; i < n; i++) if (!jsonEqual(x[i], y[i])) return false;
    return true;
  }
  const x = a as Record<string, unknown>;
  const y = b as Record<string, unknown>;
  let members = 0;
  for (const k in x) {
    if (!Object.hasOwn(y, k) || !jsonEqual(x[k], y[k])) return false;
    members++;
  }
  for (const _ in y) members--;
  return members === 0;
}
