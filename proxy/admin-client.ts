import { StranglerError, describeCause, isErrorCode } from '../core/errors.js';
import type { RouteReadiness } from '../diffs/report/readiness.js';
import type { Dial, DialPatch } from './dials.js';
import type { RouteView } from './proxy-server.js';
import type { DialChange, RampState } from './state/contract.js';

/** A ramp as GET /ramps shows it: the stored state, and why it waits as the answering process sees it. */
export type RampView = RampState & { waiting: string | null };

/** What turning a route group answers: one version, a change per member. */
export interface GroupChange {
  group: string;
  version: number;
  changes: DialChange[];
}

export interface RouteList {
  version: number;
  routes: RouteView[];
}

/** The admin API seen from the CLI: one method per endpoint, errors as catalogued StranglerErrors. */
export class AdminClient {
  private readonly base: string;

  constructor(
    base: string,
    private readonly token: string,
    private readonly timeoutMs = 10_000,
  ) {
    this.base = base.replace(/\/+$/, '');
    let url: URL | undefined;
    try {
      url = new URL(this.base);
    } catch {
      url = undefined;
    }
    if (url === undefined || (url.protocol !== 'http:' && url.protocol !== 'https:')) {
      throw new StranglerError('STRANGLER_E_USAGE', `the admin API address "${base}" is not an http(s) URL`, {
        hint: 'pass --admin http://host:port (or set STRANGLER_ADMIN_URL) matching proxy.admin.listen',
      });
    }
  }

  list(): Promise<RouteList> {
    return this.call('GET', '/routes');
  }

  set(route: string, patch: DialPatch, who?: string): Promise<DialChange> {
    return this.turn(route, patch, who) as Promise<DialChange>;
  }

  /** A route's change, or for a route group's name every member's. */
  turn(name: string, patch: DialPatch, who?: string): Promise<DialChange | GroupChange> {
    return this.call('PATCH', `/routes/${encodeURIComponent(name)}`, { ...patch, ...(who ? { who } : {}) });
  }

  rollback(route: string, who?: string): Promise<DialChange> {
    return this.call('POST', `/routes/${encodeURIComponent(route)}/rollback`, who ? { who } : {});
  }

  history(route: string, limit?: number): Promise<{ route: string; changes: DialChange[] }> {
    return this.call('GET', `/routes/${encodeURIComponent(route)}/history${limit ? `?limit=${limit}` : ''}`);
  }

  ramps(): Promise<{ leader: boolean; ramps: RampView[] }> {
    return this.call('GET', '/ramps');
  }

  startRamp(name: string, ramp: { steps: number[]; hold: string | number; requireReady: boolean }, who?: string): Promise<RampState> {
    return this.call('POST', `/ramps/${encodeURIComponent(name)}`, { ...ramp, ...(who ? { who } : {}) });
  }

  controlRamp(name: string, action: 'pause' | 'resume' | 'abort', who?: string): Promise<RampState> {
    return this.call('POST', `/ramps/${encodeURIComponent(name)}/${action}`, who ? { who } : {});
  }

  /** The readiness gate as the proxy judges it (GET /readiness, or GET /routes/:name/readiness). */
  readiness(route?: string): Promise<{ ready: boolean; routes: RouteReadiness[] }> {
    return this.call('GET', route === undefined ? '/readiness' : `/routes/${encodeURIComponent(route)}/readiness`);
  }

  private async call<T>(method: string, path: string, body?: unknown): Promise<T> {
    let res: Response;
    try {
      res = await fetch(this.base + path, {
        method,
        headers: { authorization: `Bearer ${this.token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (err) {
      throw new StranglerError('STRANGLER_E_ADMIN_UNREACHABLE', `the admin API at ${this.base} does not answer: ${describeCause((err as Error).cause ?? err)}`, {
        cause: err,
        hint: 'start the proxy (strangler proxy start -c FILE) or pass --admin http://host:port matching proxy.admin.listen',
      });
    }
    const text = await res.text();
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      parsed = undefined;
    }
    if (!res.ok) {
      const e = (parsed as { error?: { code?: unknown; message?: unknown; hint?: unknown } } | undefined)?.error;
      if (e && isErrorCode(e.code) && typeof e.message === 'string') {
        throw new StranglerError(e.code, e.message, { hint: typeof e.hint === 'string' ? e.hint : undefined });
      }
      throw new StranglerError('STRANGLER_E_ADMIN_UNREACHABLE', `the admin API at ${this.base} answered ${res.status} to ${method} ${path}`, {
        hint: 'check that --admin points at a strangler admin API',
      });
    }
    if (parsed === undefined) {
      throw new StranglerError('STRANGLER_E_ADMIN_UNREACHABLE', `the admin API at ${this.base} answered something that is not JSON`, {
        hint: 'check that --admin points at a strangler admin API',
      });
    }
    return parsed as T;
  }
}

export function describeDial(d: Dial): string {
  return `new ${d.new}%, shadow ${d.shadow}%, fallback ${d.fallback ? 'on' : 'off'}`;
}
