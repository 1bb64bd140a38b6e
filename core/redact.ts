/**
 * Secrets never reach a log line, an error message or a report. Two mechanisms:
 * - passwords inside URLs (scheme://user:password@host) are masked by pattern, always;
 * - secret values registered at config load (admin token, passwords) are masked wherever they appear.
 */
const MASK = '***';
const URL_PASSWORD = /\b([a-z][a-z0-9+.-]*:\/\/[^:/?#@\s"']*):([^@/?#\s"']+)@/gi;

const registered = new Set<string>();

/** Remember a secret value so that every later redact() masks it. Short values are ignored (too many false hits). */
export function registerSecret(value: string | undefined): void {
  if (value && value.length >= 4) {
    registered.add(value);
    // The value as it appears inside JSON or a URL, too.
    registered.add(JSON.stringify(value).slice(1, -1));
    registered.add(encodeURIComponent(value));
  }
}

export function forgetSecrets(): void {
  registered.clear();
}

export function redact(text: string): string {
  let out = text.replace(URL_PASSWORD, `$1:${MASK}@`);
  for (const secret of registered) {
    if (out.includes(secret)) out = out.split(secret).join(MASK);
  }
  return out;
}

/** A URL as it may be shown: its password masked. */
export function redactUrl(url: string): string {
  return redact(url);
}
