/**
 * A small local stand-in for the diff engine's PHP normalisers, until it lands: the JSON Pointer
 * paths where two answers differ once "42" equals 42, [] equals {}, and null equals a missing key.
 */
export function phpDifferences(legacy: unknown, fresh: unknown, path = ''): string[] {
  if (typeof legacy === 'string' && typeof fresh === 'number' && legacy.trim() !== '' && Number(legacy) === fresh) return [];
  if (isEmptyMap(legacy) && isEmptyMap(fresh)) return [];
  if (Array.isArray(legacy) && Array.isArray(fresh)) {
    if (legacy.length !== fresh.length) return [path];
    return legacy.flatMap((item, i) => phpDifferences(item, fresh[i], `${path}/${i}`));
  }
  if (isObject(legacy) && isObject(fresh)) {
    const keys = [...new Set([...Object.keys(legacy), ...Object.keys(fresh)])].sort();
    return keys.flatMap((k) => phpDifferences(legacy[k] ?? null, fresh[k] ?? null, `${path}/${k}`));
  }
  return Object.is(legacy, fresh) ? [] : [path];
}

function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

function isEmptyMap(v: unknown): boolean {
  return (Array.isArray(v) && v.length === 0) || (isObject(v) && Object.keys(v).length === 0);
}
