import { diffRules } from '../../../config/diff-schema.js';
import type { CapturedResponse, ShadowPair } from '../../../proxy/shadow-contract.js';
import { compileRules, type CompiledRules } from '../../../diffs/rules.js';

export function json(value: unknown, status = 200, backend: 'legacy' | 'new' = 'legacy', latencyMs = 10): CapturedResponse {
  return { backend, status, headers: { 'content-type': 'application/json; charset=utf-8' }, body: Buffer.from(JSON.stringify(value)), latencyMs };
}

export function raw(body: string | Buffer, contentType: string, status = 200): CapturedResponse {
  return { backend: 'legacy', status, headers: { 'content-type': contentType }, body: Buffer.isBuffer(body) ? body : Buffer.from(body), latencyMs: 1 };
}

export function rules(input: unknown = {}): CompiledRules {
  return compileRules(diffRules.parse(input));
}

let n = 0;
export function pair(route: string, legacy: unknown, next: unknown, legacyAgain?: unknown): ShadowPair {
  n++;
  return {
    time: new Date(Date.UTC(2026, 0, 1, 12, 0, n % 60)).toISOString(),
    route,
    method: 'GET',
    path: `/api/${route}/${n}`,
    requestId: `req-${n}`,
    primary: json(legacy, 200, 'legacy', 10 + (n % 7)),
    shadow: json(next, 200, 'new', 5 + (n % 5)),
    ...(legacyAgain === undefined ? {} : { legacyAgain: json(legacyAgain, 200, 'legacy', 11) }),
  };
}
