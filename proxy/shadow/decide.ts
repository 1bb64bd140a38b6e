/** Methods that must not change anything (RFC 9110 §9.2.1): the only ones mirrored by default. */
const SAFE = new Set(['GET', 'HEAD', 'OPTIONS']);

export function isSafe(method: string): boolean {
  return SAFE.has(method);
}

/**
 * Whether to mirror this request: the route's shadow % (drawn per request), safe methods only unless
 * the route opts in with mirrorWrites. `draw` is a number in [0, 100).
 */
export function shouldMirror(shadowPercent: number, method: string, mirrorWrites: boolean, draw: number): boolean {
  if (shadowPercent <= 0) return false;
  if (!isSafe(method) && !mirrorWrites) return false;
  return draw < shadowPercent;
}
