import { randomBytes } from 'node:crypto';
import type http from 'node:http';
import type { TLSSocket } from 'node:tls';
import type { ProxyConfig } from '../config/proxy-schema.js';

/** `proxy.stickiness.assign`, resolved: the cookie that carries an id the proxy gave a visitor. */
export interface AssignCookie {
  readonly name: string;
  readonly maxAgeSeconds: number;
}

export function assignCookieOf(stickiness: ProxyConfig['stickiness']): AssignCookie | undefined {
  const a = stickiness.assign;
  return a === undefined ? undefined : { name: a.cookie, maxAgeSeconds: Math.round(a.maxAgeDays * 86_400) };
}

/**
 * A new visitor id: 128 random bits, opaque (it names nobody and says nothing about the bucket).
 * Drawn only for a request that carries no identity at all, so the cost is one per new visitor.
 */
export function visitorId(): string {
  return randomBytes(16).toString('base64url');
}

/** Whether the client reached us over https (directly, or through a TLS-terminating front). */
function overHttps(req: http.IncomingMessage): boolean {
  if ((req.socket as TLSSocket).encrypted === true) return true;
  const proto = req.headers['x-forwarded-proto'];
  const first = (Array.isArray(proto) ? proto[0] : proto)?.split(',')[0]?.trim().toLowerCase();
  return first === 'https';
}

/** The Set-Cookie value that hands the visitor its id: HttpOnly, SameSite=Lax, Secure behind https. */
export function assignSetCookie(assign: AssignCookie, id: string, req: http.IncomingMessage): string {
  return `${assign.name}=${id}; Path=/; Max-Age=${assign.maxAgeSeconds}; HttpOnly; SameSite=Lax${overHttps(req) ? '; Secure' : ''}`;
}

/** Adds a Set-Cookie to a backend response's headers, after the backend's own. */
export function appendSetCookie(headers: http.IncomingHttpHeaders, cookie: string): void {
  const own = headers['set-cookie'];
  headers['set-cookie'] = own === undefined ? [cookie] : [...own, cookie];
}
