import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';
import { StranglerError } from '../core/errors.js';
import { registerSecret } from '../core/redact.js';
import { interpolate, protectReferences } from './interpolate.js';
import { ConfigError, fromZodIssues, type ConfigIssue } from './issues.js';
import { configSchema, type Config } from './schema.js';

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}

/** The line (1-based) of a path in the YAML source, for error messages. */
function lineOf(doc: YAML.Document.Parsed, lineCounter: YAML.LineCounter, dotted: (string | number)[]): number | undefined {
  for (let n = dotted.length; n > 0; n--) {
    const node = doc.getIn(dotted.slice(0, n), true) as { range?: [number, number, number] } | undefined;
    if (node && typeof node === 'object' && node.range) return lineCounter.linePos(node.range[0]).line;
  }
  return undefined;
}

function splitPath(p: string): (string | number)[] {
  return [...p.matchAll(/([^.[\]]+)|\[(\d+)\]/g)].map((m) => (m[2] !== undefined ? Number(m[2]) : m[1]!));
}

/**
 * Parses, interpolates and validates config text. Everything wrong is reported at once, with the
 * file, the path inside it, the line and a valid example. The result is deep-frozen.
 */
export interface LoadOptions {
  /**
   * For commands that only read files the proxy wrote (diffs report / show): the admin token is not
   * needed, so an unset token variable (or no token) is not an error; a placeholder stands in.
   */
  withoutAdminToken?: boolean;
}

/** Stands in for the admin token when a read-only command loads a config without it. */
const NO_TOKEN = '(admin token not loaded)';

function withoutToken(value: unknown, issues: ConfigIssue[]): ConfigIssue[] {
  const admin = (value as { proxy?: { admin?: Record<string, unknown> } }).proxy?.admin;
  if (admin && typeof admin === 'object' && (typeof admin.token !== 'string' || admin.token === '')) admin.token = NO_TOKEN;
  return issues.filter((i) => i.path !== 'proxy.admin.token');
}

export function parseConfig(text: string, file: string, env: NodeJS.ProcessEnv = process.env, options: LoadOptions = {}): Config {
  if (text.length > MAX_CONFIG_BYTES) throw tooLarge(file, text.length);
  const lineCounter = new YAML.LineCounter();
  const { text: protectedText, refs } = protectReferences(text);
  const doc = YAML.parseDocument(protectedText, { lineCounter, prettyErrors: true, uniqueKeys: true });
  if (doc.errors.length > 0) {
    // Only the first syntax error: the ones after it are usually its echoes.
    const issues: ConfigIssue[] = doc.errors.slice(0, 1).map((e) => ({
      code: 'STRANGLER_E_CONFIG_SYNTAX',
      path: '',
      line: e.linePos?.[0].line,
      message: `${file.endsWith('.json') ? 'JSON' : 'YAML'} syntax: ${e.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '')}${e.linePos ? ` (column ${e.linePos[0].col})` : ''}`,
    }));
    throw new ConfigError(file, issues);
  }
  let raw: unknown;
  try {
    raw = doc.toJS();
  } catch (err) {
    // yaml refuses to expand aliases past its bound (a "billion laughs" document): bad input, not a bug.
    throw new ConfigError(file, [{ code: 'STRANGLER_E_CONFIG_SYNTAX', path: '', message: `YAML: ${err instanceof Error ? err.message : String(err)}` }], { cause: err });
  }
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    throw new ConfigError(file, [{ code: 'STRANGLER_E_CONFIG_TYPE', path: '', message: 'expected a map with "proxy" and/or "migrate" at the top' }]);
  }
  const interpolated = interpolate(raw, env, refs);
  if (options.withoutAdminToken) interpolated.issues = withoutToken(interpolated.value, interpolated.issues);
  const parsed = configSchema.safeParse(interpolated.value);
  const issues = [...interpolated.issues];
  if (!parsed.success) {
    const envPaths = new Set(issues.map((i) => i.path));
    // An unset variable already explains the type error it causes downstream.
    issues.push(...fromZodIssues(parsed.error.issues, interpolated.value, configSchema).filter((i) => !envPaths.has(i.path)));
  }
  if (issues.length > 0) {
    for (const i of issues) i.line ??= lineOf(doc, lineCounter, splitPath(i.path));
    throw new ConfigError(file, issues);
  }
  for (const s of interpolated.secrets) registerSecret(s);
  const sections = parsed.data!;
  if (sections.proxy?.admin.token !== NO_TOKEN) registerSecret(sections.proxy?.admin.token);
  if (sections.migrate) registerSecret(decodeURIComponent(new URL(sections.migrate.source).password));
  return deepFreeze({ ...sections, file, baseDir: path.dirname(path.resolve(file)) });
}

/**
 * The largest config file read. Parsing YAML costs about 1 s per MB of CPU (more on a busy machine)
 * and ~100× the file in memory, and a real config (thousands of routes) is a few hundred KB.
 */
export const MAX_CONFIG_BYTES = 1024 * 1024;

function tooLarge(file: string, size: number): StranglerError {
  return new StranglerError('STRANGLER_E_CONFIG_TOO_LARGE', `${file}: the config is ${size} bytes, more than the ${MAX_CONFIG_BYTES} strangler reads`, {
    hint: 'a config holds settings and routes, not data; split generated parts out or trim them',
  });
}

export function loadConfig(file: string, env: NodeJS.ProcessEnv = process.env, options: LoadOptions = {}): Config {
  let text: string;
  try {
    const size = statSync(file).size;
    if (size > MAX_CONFIG_BYTES) throw tooLarge(file, size);
    text = readFileSync(file, 'utf8');
  } catch (err) {
    if (err instanceof StranglerError) throw err;
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') {
      throw new StranglerError('STRANGLER_E_CONFIG_NOT_FOUND', `${file}: no such config file`, {
        cause: err,
        hint: 'pass an existing file with -c, e.g. -c examples/demo/strangler.yaml',
      });
    }
    throw new StranglerError('STRANGLER_E_CONFIG_READ', `${file}: cannot read config (${code ?? 'error'})`, { cause: err, hint: 'check the file permissions' });
  }
  return parseConfig(text, file, env, options);
}

/** Resolves a path from the config (state file, diff file…) against the config file's folder. */
export function resolveFromConfig(config: Pick<Config, 'baseDir'>, p: string): string {
  return path.resolve(config.baseDir, p);
}

/** The section a command needs, or a clear error naming it. */
export function requireSection<K extends 'proxy' | 'migrate'>(config: Config, section: K): NonNullable<Config[K]> {
  const value = config[section];
  if (!value) {
    throw new StranglerError('STRANGLER_E_CONFIG_SECTION_MISSING', `${config.file}: this command needs a "${section}" section`, {
      hint: `add a "${section}:" section; see the README's config reference`,
    });
  }
  return value as NonNullable<Config[K]>;
}
