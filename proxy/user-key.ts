import type { ProxyConfig } from '../config/proxy-schema.js';

type Headers = Readonly<Record<string, string | string[] | undefined>>;
export type KeyExtractor = (headers: Headers, rawUrl: string) => string | undefined;

/** The value of one cookie in a Cookie header, found without parsing the others. */
export function cookieValue(header: string | undefined, name: string): string | undefined {
  if (!header) return undefined;
  let from = 0;
  while (from < header.length) {
    const semi = header.indexOf(';', from);
    const end = semi === -1 ? header.length : semi;
    const eq = header.indexOf('=', from);
    if (eq !== -1 && eq < end && header.slice(from, eq).trim() === name) {
      const v = header.slice(eq + 1, end).trim();
      return v === '' ? undefined : v.startsWith('"') && v.endsWith('"') && v.length > 1 ? v.slice(1, -1) : v;
    }
    from = end + 1;
  }
  return undefined;
}

/** The value of one query parameter in a request target (decoded), or undefined. */
export function queryValue(rawUrl: string, name: string): string | undefined {
  const q = rawUrl.indexOf('?');
  if (q === -1) return undefined;
  const v = new URLSearchParams(rawUrl.slice(q + 1)).get(name);
  return v === null || v === '' ? undefined : v;
}

/**
 * Where a user's identity comes from (`proxy.stickiness`): the header, then the cookie, then the
 * query parameter, then the id the proxy assigned (`assign.cookie`); the first one present wins.
 */
export function keyExtractor(stickiness: ProxyConfig['stickiness']): KeyExtractor {
  const { header, cookie, query } = stickiness;
  const assigned = stickiness.assign?.cookie;
  return (headers, rawUrl) => {
    if (header !== undefined) {
      const v = headers[header];
      const s = Array.isArray(v) ? v[0] : v;
      if (s) return s;
    }
    if (cookie !== undefined) {
      const c = headers.cookie;
      const v = cookieValue(Array.isArray(c) ? c.join('; ') : c, cookie);
      if (v !== undefined) return v;
    }
    if (query !== undefined) {
      const v = queryValue(rawUrl, query);
      if (v !== undefined) return v;
    }
    if (assigned !== undefined) {
      const c = headers.cookie;
      return cookieValue(Array.isArray(c) ? c.join('; ') : c, assigned);
    }
    return undefined;
  };
}
