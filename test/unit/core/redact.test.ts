import { createLogger } from '../../../core/logger.js';
import { forgetSecrets, redact, registerSecret } from '../../../core/redact.js';

afterEach(() => forgetSecrets());

function capture(): { lines: () => Record<string, unknown>[]; raw: () => string; write: (s: string) => void } {
  let raw = '';
  return {
    write: (s: string) => void (raw += s),
    raw: () => raw,
    lines: () => raw.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>),
  };
}

describe('secrets never reach a log line', () => {
  test('passwords inside URLs are masked wherever they appear', () => {
    expect(redact('connect mysql://app:s3cr%3Et@db:3306/legacy failed')).toBe('connect mysql://app:***@db:3306/legacy failed');
    expect(redact('{"url":"https://u:p4ss@host/x"}')).toBe('{"url":"https://u:***@host/x"}');
    expect(redact('http://host:8080/no-password')).toBe('http://host:8080/no-password');
  });

  test('registered secret values are masked in messages, fields and nested objects', () => {
    registerSecret('tok-1234567890abcdef');
    const out = capture();
    const log = createLogger({ destination: out, level: 'info' });
    log.info({ detail: { note: 'used tok-1234567890abcdef here' } }, 'admin token is tok-1234567890abcdef');
    expect(out.raw()).not.toContain('tok-1234567890abcdef');
    expect(out.lines()[0]).toMatchObject({ msg: 'admin token is ***', detail: { note: 'used *** here' } });
  });

  test('fields named like secrets, and configured field names, are censored', () => {
    const out = capture();
    const log = createLogger({ destination: out, redactFields: ['email'] });
    log.info({ password: 'hunter22', headers: { authorization: 'Bearer abc' }, user: { email: 'a@b.c', name: 'Ann' } }, 'login');
    const line = out.lines()[0]!;
    expect(line).toMatchObject({ password: '[redacted]', headers: { authorization: '[redacted]' }, user: { email: '[redacted]', name: 'Ann' } });
  });

  test('short values are not registered (they would mask ordinary text)', () => {
    registerSecret('ab');
    expect(redact('abc')).toBe('abc');
  });
});
