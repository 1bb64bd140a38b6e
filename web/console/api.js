// The console's one way to the server: same-origin fetch with the session cookie (HttpOnly: this
// script never sees it) and, on every change, the CSRF token the server handed out at sign-in.
let csrf = null;

export function setCsrf(token) {
  csrf = token;
}

export class ApiError extends Error {
  constructor(status, code, message) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

export async function api(path, { method = 'GET', body } = {}) {
  const headers = {};
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (method !== 'GET' && csrf) headers['x-csrf-token'] = csrf;
  const res = await fetch(`api/${path}`, { method, headers, credentials: 'same-origin', body: body === undefined ? undefined : JSON.stringify(body) });
  const data = await res.json().catch(() => ({}));
  if (!res.ok) throw new ApiError(res.status, data.error?.code ?? null, data.error?.message ?? `${res.status} ${res.statusText}`);
  return data;
}

export const fmt = {
  pct: (f) => (f === null || f === undefined ? '–' : `${(f * 100).toFixed(f > 0 && f < 0.001 ? 3 : 1)}%`),
  dial: (n) => `${Number(n)}%`,
  ms: (v) => (v === null || v === undefined ? '–' : `${v < 10 ? v.toFixed(1) : Math.round(v)} ms`),
  rate: (v) => (v === null || v === undefined ? '–' : `${v < 10 ? v.toFixed(1) : Math.round(v)}/s`),
  when: (iso) => (iso ? new Date(iso).toLocaleString() : '–'),
  duration: (s) => {
    if (s === null || s === undefined) return '–';
    if (s < 60) return `${s} s`;
    if (s < 3600) return `${Math.floor(s / 60)} min ${s % 60} s`;
    return `${Math.floor(s / 3600)} h ${Math.floor((s % 3600) / 60)} min`;
  },
};
