/**
 * The template of a request path: what stays the same across the requests of one page, so that noise
 * is learnt (and its samples counted) per page and not per route, when a route is broad (a catch-all
 * in front of a PHP app serves every page of it). Numbers, id-like segments and query values are left
 * out: "/post/12?lang=en&p=3" → "/post/:n?lang&p", "/items/0-12" → "/items/:n-:n". A route whose
 * pattern has no wildcard is not broad: its pattern is the template of all its requests. Pure.
 */

const NUMERIC = /^\d+$/;
/** A UUID, or a long hex or base64url token (a hash, an opaque id). */
const OPAQUE = /^(?:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|[0-9a-f]{16,}|(?=[A-Za-z0-9_-]*\d)[A-Za-z0-9_-]{24,})$/i;

function segmentTemplate(segment: string): string {
  if (NUMERIC.test(segment)) return ':n';
  if (OPAQUE.test(segment)) return ':id';
  return /\d/.test(segment) ? segment.replace(/\d+/g, ':n') : segment;
}

/** The template noise is keyed by: the route's pattern when it has no wildcard, else the path's template. */
export function requestTemplate(routePattern: string | undefined, path: string): string {
  if (routePattern !== undefined && !/(?:^|\/)\*[^/]*$/.test(routePattern)) return routePattern;
  return pathTemplate(path);
}

export function pathTemplate(path: string): string {
  const q = path.indexOf('?');
  const hash = path.indexOf('#');
  const end = hash === -1 ? path.length : hash;
  const pathname = q === -1 || q > end ? path.slice(0, end) : path.slice(0, q);
  let out = pathname.split('/').map(segmentTemplate).join('/');
  if (q !== -1 && q < end) {
    const names = new Set<string>();
    for (const part of path.slice(q + 1, end).split('&')) {
      if (part === '') continue;
      const eq = part.indexOf('=');
      names.add(eq === -1 ? part : part.slice(0, eq));
      if (names.size >= 20) break;
    }
    if (names.size > 0) out += '?' + [...names].sort().join('&');
  }
  return out.length > 300 ? out.slice(0, 300) + '…' : out;
}
