import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ConfigError, type ConfigIssue } from '../../../config/issues.js';
import { loadConfig, parseConfig, requireSection } from '../../../config/load.js';
import type { ErrorCode } from '../../../core/errors.js';
import { StranglerError } from '../../../core/errors.js';
import { forgetSecrets, redact } from '../../../core/redact.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'strangler-config-'));
afterEach(() => forgetSecrets());

const VALID = `
proxy:
  listen: 0.0.0.0:8080
  admin: { listen: 127.0.0.1:8081, token: \${ADMIN_TOKEN} }
  backends:
    legacy: { url: http://127.0.0.1:8000, timeoutMs: 30000 }
    new:    { url: http://127.0.0.1:9000, timeoutMs: \${NEW_TIMEOUT:-5000} }
  stickiness: { header: X-User-Id, cookie: session }
  routes:
    - name: profile.get
      match: { method: GET, path: /api/users/:id }
      new: 0
      shadow: 100
      fallback: true
      diff: { ignore: [/lastSeen, /friends/*/online], unorderedArrays: [/tags], numberTolerance: 0.001 }
    - name: chat.post
      match: { method: [post, PUT], path: /api/chats/:id/messages }
      new: 12.5
migrate:
  source: mysql://app:\${MYSQL_PASSWORD}@127.0.0.1:3306/legacy
  target: { projectId: my-project, namespace: "" }
  tables:
    users:    { kind: User, key: id, updatedAt: updated_at, columns: { password_hash: { skip: true }, bio: { index: false } } }
    messages: { kind: Message, key: id, parent: { kind: Chat, column: chat_id } }
`;
const ENV = { ADMIN_TOKEN: 'a-very-long-admin-token', MYSQL_PASSWORD: 'pw-secret-123' };

function write(name: string, text: string): string {
  const file = path.join(dir, name);
  writeFileSync(file, text);
  return file;
}

/** Loads a file that must fail, and returns its issues. */
function issuesOf(text: string, env: NodeJS.ProcessEnv = ENV, name = 'bad.yaml'): { err: ConfigError; issues: readonly ConfigIssue[] } {
  const file = write(name, text);
  try {
    loadConfig(file, env);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    const e = err as ConfigError;
    expect(e.message).toContain(file); // every error names the file
    return { err: e, issues: e.issues };
  }
  throw new Error('expected the config to be rejected');
}

/** Replaces one line of the valid config (by a unique fragment) with another. */
const edit = (from: string, to: string) => {
  if (!VALID.includes(from)) throw new Error(`fixture has no "${from}"`);
  return VALID.replace(from, to);
};

describe('a valid config', () => {
  test('loads with defaults, interpolation and types resolved', () => {
    const c = loadConfig(write('ok.yaml', VALID), ENV);
    expect(c.proxy!.listen).toEqual({ host: '0.0.0.0', port: 8080 });
    expect(c.proxy!.backends.new.timeoutMs).toBe(5000); // ${NEW_TIMEOUT:-5000} became a number
    expect(c.proxy!.stickiness.header).toBe('x-user-id');
    expect(c.proxy!.routes[1]!.match.method).toEqual(['POST', 'PUT']);
    expect(c.proxy!.routes[1]!.shadow).toBe(0);
    expect(c.proxy!.routes[0]!.diff.headers).toEqual(['content-type']);
    expect(c.migrate!.tables.users!.columns.password_hash!.skip).toBe(true);
    expect(c.migrate!.sourceTimeZone).toBeUndefined(); // not declared: read as UTC unless the data says otherwise
    expect(c.baseDir).toBe(dir);
  });

  test('is deep-frozen', () => {
    const c = loadConfig(write('ok.yaml', VALID), ENV);
    expect(Object.isFrozen(c)).toBe(true);
    expect(Object.isFrozen(c.proxy!.routes[0]!.match)).toBe(true);
    expect(() => {
      (c.proxy!.routes[0] as { new: number }).new = 50;
    }).toThrow(TypeError);
  });

  test('JSON works as well as YAML', () => {
    const c = parseConfig(JSON.stringify({ migrate: { source: 'mysql://root@h:3306/db', target: { projectId: 'p-1234' } } }), 'c.json');
    expect(c.migrate!.target.namespace).toBe('');
  });

  test('registers the admin token and the MySQL password as secrets', () => {
    loadConfig(write('ok.yaml', VALID), ENV);
    expect(redact('token a-very-long-admin-token and pw-secret-123')).toBe('token *** and ***');
  });

  test('requireSection names the missing section', () => {
    const c = parseConfig('migrate: { source: "mysql://root@h:3306/db", target: { projectId: p-1234 } }', 'm.yaml');
    expect(() => requireSection(c, 'proxy')).toThrow(expect.objectContaining({ code: 'STRANGLER_E_CONFIG_SECTION_MISSING' }));
  });
});

describe('bad configs: each gets the documented code, the file, the path and an example', () => {
  const cases: [string, string, ErrorCode, string, NodeJS.ProcessEnv][] = [
    ['wrong type', edit('new: 12.5', 'new: ten'), 'STRANGLER_E_CONFIG_TYPE', 'proxy.routes[1].new', ENV],
    ['unknown key', edit('shadow: 100', 'shdow: 100'), 'STRANGLER_E_CONFIG_UNKNOWN_KEY', 'proxy.routes[0].shdow', ENV],
    ['missing backend', edit('    new:    { url: http://127.0.0.1:9000, timeoutMs: ${NEW_TIMEOUT:-5000} }\n', ''), 'STRANGLER_E_CONFIG_REQUIRED', 'proxy.backends.new', ENV],
    ['bad backend URL', edit('url: http://127.0.0.1:8000', 'url: ftp://127.0.0.1:8000'), 'STRANGLER_E_CONFIG_URL', 'proxy.backends.legacy.url', ENV],
    ['relative backend URL', edit('url: http://127.0.0.1:8000', 'url: 127.0.0.1:8000'), 'STRANGLER_E_CONFIG_URL', 'proxy.backends.legacy.url', ENV],
    ['bad route pattern', edit('path: /api/users/:id', 'path: api/users/:id'), 'STRANGLER_E_CONFIG_ROUTE_PATTERN', 'proxy.routes[0].match.path', ENV],
    ['wildcard not last', edit('path: /api/users/:id', 'path: /api/*/x'), 'STRANGLER_E_CONFIG_ROUTE_PATTERN', 'proxy.routes[0].match.path', ENV],
    ['percent out of range', edit('new: 12.5', 'new: 150'), 'STRANGLER_E_CONFIG_RANGE', 'proxy.routes[1].new', ENV],
    ['percent finer than 0.01', edit('new: 12.5', 'new: 12.345'), 'STRANGLER_E_CONFIG_RANGE', 'proxy.routes[1].new', ENV],
    ['negative timeout', edit('timeoutMs: 30000', 'timeoutMs: -5'), 'STRANGLER_E_CONFIG_RANGE', 'proxy.backends.legacy.timeoutMs', ENV],
    ['unset env var', VALID, 'STRANGLER_E_CONFIG_ENV', 'proxy.admin.token', { MYSQL_PASSWORD: 'x' }],
    ['bad listen address', edit('listen: 0.0.0.0:8080', 'listen: 0.0.0.0:70000'), 'STRANGLER_E_CONFIG_LISTEN', 'proxy.listen', ENV],
    ['unknown method', edit('method: GET', 'method: FETCH'), 'STRANGLER_E_CONFIG_VALUE', 'proxy.routes[0].match.method', ENV],
    ['duplicate route name', edit('name: chat.post', 'name: profile.get'), 'STRANGLER_E_CONFIG_DUPLICATE', 'proxy.routes[1].name', ENV],
    ['MySQL URL without database', edit('@127.0.0.1:3306/legacy', '@127.0.0.1:3306'), 'STRANGLER_E_CONFIG_URL', 'migrate.source', ENV],
    ['unknown timezone', edit('namespace: "" }', 'namespace: "" }\n  sourceTimeZone: Mars/Olympus'), 'STRANGLER_E_CONFIG_VALUE', 'migrate.sourceTimeZone', ENV],
    ['bad column type', edit('bio: { index: false }', 'bio: { type: varchar }'), 'STRANGLER_E_CONFIG_VALUE', 'migrate.tables.users.columns.bio.type', ENV],
    ['short admin token', VALID, 'STRANGLER_E_CONFIG_VALUE', 'proxy.admin.token', { ...ENV, ADMIN_TOKEN: 'short' }],
    ['bad ignore pointer', edit('ignore: [/lastSeen', 'ignore: [lastSeen'), 'STRANGLER_E_CONFIG_VALUE', 'proxy.routes[0].diff.ignore[0]', ENV],
    ['redis state store without url', edit('  stickiness: {', '  state: { store: redis }\n  stickiness: {'), 'STRANGLER_E_CONFIG_URL', 'proxy.state.url', ENV],
    ['redis diff store without url', edit('  stickiness: {', '  diffs: { store: redis }\n  stickiness: {'), 'STRANGLER_E_CONFIG_URL', 'proxy.diffs.url', ENV],
    ['redis state store on http', edit('  stickiness: {', '  state: { store: redis, url: http://redis:6379 }\n  stickiness: {'), 'STRANGLER_E_CONFIG_URL', 'proxy.state.url', ENV],
  ];

  test.each(cases)('%s', (_name, text, code, at, env) => {
    const { issues } = issuesOf(text, env);
    expect(issues).toEqual([expect.objectContaining({ code, path: at })]);
    const issue = issues[0]!;
    expect(issue.example).toBeTruthy();
    expect(issue.line).toBeGreaterThan(0);
  });

  test('YAML syntax errors give the line number', () => {
    const { err, issues } = issuesOf('proxy:\n  listen: [0.0.0.0:8080\n  admin: {}\n');
    expect(err.code).toBe('STRANGLER_E_CONFIG_SYNTAX');
    expect(issues[0]!.line).toBeGreaterThanOrEqual(2);
    expect(err.message).toMatch(/line \d+: YAML syntax/);
  });

  test('duplicate keys are a syntax error, not a silent overwrite', () => {
    const { err } = issuesOf('proxy:\n  listen: 1.2.3.4:80\n  listen: 5.6.7.8:80\n');
    expect(err.code).toBe('STRANGLER_E_CONFIG_SYNTAX');
  });

  test('several problems are reported at once', () => {
    const text = edit('new: 12.5', 'new: 150').replace('shadow: 100', 'shdow: 100').replace('url: http://127.0.0.1:8000', 'url: nope');
    const { err, issues } = issuesOf(text);
    expect(err.code).toBe('STRANGLER_E_CONFIG_INVALID');
    expect(issues.map((i) => i.path).sort()).toEqual(['proxy.backends.legacy.url', 'proxy.routes[0].shdow', 'proxy.routes[1].new']);
    expect(err.message).toMatch(/3 config errors/);
  });

  test('an unknown key suggests the near one', () => {
    const { issues } = issuesOf(edit('fallback: true', 'fallbak: true'));
    expect(issues[0]!.message).toContain('did you mean "fallback"');
  });

  test('the old spellings sourceTimezone and a column\'s timezone are refused, naming the new key', () => {
    const { issues } = issuesOf(edit('namespace: "" }', 'namespace: "" }\n  sourceTimezone: Europe/Berlin').replace('bio: { index: false }', 'bio: { timezone: UTC }'));
    expect(issues.map((i) => [i.code, i.path, i.message]).sort((a, b) => a[1]!.localeCompare(b[1]!))).toEqual([
      ['STRANGLER_E_CONFIG_UNKNOWN_KEY', 'migrate.sourceTimezone', '"sourceTimezone" is spelled "sourceTimeZone" now (as the IANA time zone database writes it): rename the key'],
      ['STRANGLER_E_CONFIG_UNKNOWN_KEY', 'migrate.tables.users.columns.bio.timezone', '"timezone" is spelled "timeZone" now (as the IANA time zone database writes it): rename the key'],
    ]);
  });

  test('an empty file, a list, or a file with no known section is refused', () => {
    expect(issuesOf('').issues[0]!.code).toBe('STRANGLER_E_CONFIG_TYPE');
    expect(issuesOf('- a\n- b\n').issues[0]!.code).toBe('STRANGLER_E_CONFIG_TYPE');
    expect(issuesOf('{}').issues[0]!.code).toBe('STRANGLER_E_CONFIG_REQUIRED');
  });

  test('a missing file is its own code', () => {
    expect(() => loadConfig(path.join(dir, 'nope.yaml'))).toThrow(expect.objectContaining({ code: 'STRANGLER_E_CONFIG_NOT_FOUND' }));
  });

  test('a directory cannot be read as config', () => {
    expect(() => loadConfig(dir)).toThrow(StranglerError);
    expect(() => loadConfig(dir)).toThrow(expect.objectContaining({ code: 'STRANGLER_E_CONFIG_READ' }));
  });

  test('the password of a rejected file never shows in the error', () => {
    const { err } = issuesOf(edit('timeoutMs: 30000', 'timeoutMs: -1').replace('${MYSQL_PASSWORD}', 'literal-pass-999'));
    expect(redact(err.message)).not.toContain('literal-pass-999');
  });
});

describe('interpolation', () => {
  test('$${ is a literal ${ and defaults may be empty', () => {
    const c = parseConfig('migrate: { source: "mysql://u@h:3306/db", target: { projectId: p-1234, namespace: "ns-$${X}${NS:-}" } }', 'i.yaml', {});
    expect(c.migrate!.target.namespace).toBe('ns-${X}');
  });

  test('a reference inside a longer string stays a string', () => {
    const c = parseConfig('migrate: { source: "mysql://u:${P}@h:${PORT}/db", target: { projectId: p-1234 } }', 'i.yaml', { P: 'x', PORT: '3307' });
    expect(c.migrate!.source).toBe('mysql://u:x@h:3307/db');
  });
});
