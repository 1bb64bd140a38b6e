import type { z } from 'zod';
import { StranglerError, isErrorCode, type ErrorCode } from '../core/errors.js';
import { exampleFor } from './examples.js';

/** One thing wrong with a config file, precise enough to fix without reading the docs. */
export interface ConfigIssue {
  code: ErrorCode;
  /** Where in the file: proxy.routes[2].match.path ("" for the whole file). */
  path: string;
  message: string;
  /** A valid value for that path. */
  example?: string;
  /** 1-based line in the file, when known. */
  line?: number;
}

export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const p of path) {
    if (typeof p === 'number') out += `[${p}]`;
    else out += out === '' ? String(p) : `.${String(p)}`;
  }
  return out;
}

/** proxy.routes[2].match.path → proxy.routes[].match.path; map keys become * (see examples.ts). */
function genericPath(path: readonly PropertyKey[]): string {
  const out: PropertyKey[] = [];
  path.forEach((p, i) => {
    const parent = path[i - 1];
    const grand = path[i - 2];
    if (typeof p === 'number') out.push(-1);
    else if ((parent === 'tables' && grand === 'migrate') || parent === 'columns') out.push('*');
    else if (parent === 'backends' && grand === 'proxy' && path.length > i + 1) out.push('*');
    else out.push(p);
  });
  return formatPath(out).replace(/\[-1\]/g, '[]');
}

/** Keys whose values are never echoed in an error message. */
const SECRET_KEY = /token|password|secret/i;

class HiddenSecret {
  constructor(readonly length: number) {}
}

function describe(value: unknown): string {
  if (value instanceof HiddenSecret) return `a string of ${value.length} character(s) (not shown: it is a secret)`;
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a map';
  if (typeof value === 'string') return `the string "${value.length > 40 ? `${value.slice(0, 40)}…` : value}"`;
  return `${typeof value} ${String(value)}`;
}

/** Keys spelled otherwise in an earlier release: the old spelling is refused with the new one named. */
const RENAMED_KEYS: Record<string, string> = { sourceTimezone: 'sourceTimeZone', timezone: 'timeZone' };

/** Levenshtein distance, for "did you mean". */
function distance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = row[j]!;
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = tmp;
    }
  }
  return row[b.length]!;
}

/** The keys an object schema at `path` accepts (walking through defaults, optionals, pipes, arrays, records). */
function knownKeys(schema: z.ZodType, path: readonly PropertyKey[]): string[] {
  // zod 4 keeps each schema's definition at _zod.def; walking it is the documented way to introspect.
  let node: any = schema;
  const unwrap = () => {
    for (;;) {
      const def = node?._zod?.def;
      if (!def) return;
      if (def.type === 'optional' || def.type === 'default' || def.type === 'nullable' || def.type === 'prefault') node = def.innerType;
      else if (def.type === 'pipe') node = def.in?._zod?.def?.type === 'transform' ? def.out : def.in;
      else return;
    }
  };
  for (const p of path) {
    unwrap();
    const def = node?._zod?.def;
    if (!def) return [];
    if (def.type === 'object') node = def.shape[p as string];
    else if (def.type === 'array') node = def.element;
    else if (def.type === 'record') node = def.valueType;
    else if (def.type === 'union') node = def.options.find((o: any) => o?._zod?.def?.type === 'object') ?? def.options[0];
    else return [];
  }
  unwrap();
  const def = node?._zod?.def;
  return def?.type === 'object' ? Object.keys(def.shape) : [];
}

/** For a union, the issues of the branch that got furthest (not a plain type mismatch). */
function bestUnionBranch(zi: z.core.$ZodIssueInvalidUnion): z.core.$ZodIssue[] | undefined {
  return zi.errors.find((branch) => branch.length > 0 && branch.every((i) => i.code !== 'invalid_type'));
}

export function fromZodIssues(zodIssues: readonly z.core.$ZodIssue[], input: unknown, root: z.ZodType): ConfigIssue[] {
  const out: ConfigIssue[] = [];
  for (const zi of zodIssues) {
    if (zi.code === 'invalid_union') {
      const branch = bestUnionBranch(zi);
      if (branch) {
        out.push(...fromZodIssues(branch.map((b) => ({ ...b, path: [...zi.path, ...b.path] })), input, root));
        continue;
      }
    }
    const path = zi.path;
    if (zi.code === 'unrecognized_keys') {
      const known = knownKeys(root, path);
      for (const key of zi.keys) {
        const renamed = RENAMED_KEYS[key];
        if (renamed && known.includes(renamed)) {
          out.push({ code: 'STRANGLER_E_CONFIG_UNKNOWN_KEY', path: formatPath([...path, key]), message: `"${key}" is spelled "${renamed}" now (as the IANA time zone database writes it): rename the key`, example: `${renamed}: Europe/Berlin` });
          continue;
        }
        const near = known.filter((k) => distance(k.toLowerCase(), key.toLowerCase()) <= 2);
        out.push({
          code: 'STRANGLER_E_CONFIG_UNKNOWN_KEY',
          path: formatPath([...path, key]),
          message: `unknown key "${key}"${near.length ? `; did you mean "${near[0]}"?` : ''}`,
          example: known.length ? `one of: ${known.join(', ')}` : undefined,
        });
      }
      continue;
    }
    const found = path.reduce<unknown>((v, k) => (v !== null && typeof v === 'object' ? (v as any)[k as any] : undefined), input);
    // A secret that is wrong (a too-short token) is still a secret: the message gives its length only.
    const value = typeof found === 'string' && SECRET_KEY.test(String(path[path.length - 1] ?? '')) ? new HiddenSecret(found.length) : found;
    const params = (zi as { params?: { code?: unknown; example?: string } }).params;
    let code: ErrorCode = 'STRANGLER_E_CONFIG_VALUE';
    let message = zi.message;
    if (params && isErrorCode(params.code)) {
      code = params.code;
    } else if (zi.code === 'invalid_type') {
      code = value === undefined ? 'STRANGLER_E_CONFIG_REQUIRED' : 'STRANGLER_E_CONFIG_TYPE';
      message = value === undefined ? `required: expected ${zi.expected}` : `expected ${zi.expected}, got ${describe(value)}`;
    } else if (zi.code === 'too_small' || zi.code === 'too_big' || zi.code === 'not_multiple_of') {
      code = typeof value === 'number' ? 'STRANGLER_E_CONFIG_RANGE' : 'STRANGLER_E_CONFIG_VALUE';
      message = `${zi.message}, got ${describe(value)}`;
    } else if (zi.code === 'invalid_value') {
      message = `expected one of ${zi.values.map((v) => JSON.stringify(v)).join(', ')}, got ${describe(value)}`;
    } else if (zi.code === 'invalid_union') {
      code = 'STRANGLER_E_CONFIG_TYPE';
      message = `unexpected ${describe(value)}`;
    } else if (zi.code === 'invalid_format') {
      message = `${zi.message}, got ${describe(value)}`;
    }
    out.push({ code, path: formatPath(path), message, example: params?.example ?? exampleFor(genericPath(path)) });
  }
  return out;
}

/** Every problem found in one config file, reported together. */
export class ConfigError extends StranglerError {
  readonly file: string;
  readonly issues: readonly ConfigIssue[];

  constructor(file: string, issues: readonly ConfigIssue[], options: { cause?: unknown } = {}) {
    const code = issues.length === 1 ? issues[0]!.code : 'STRANGLER_E_CONFIG_INVALID';
    super(code, ConfigError.render(file, issues), {
      cause: options.cause,
      hint: 'see docs/errors.md for each code; `strangler config check -c FILE` re-checks',
      details: { file, issues },
    });
    this.name = 'ConfigError';
    this.file = file;
    this.issues = issues;
  }

  static render(file: string, issues: readonly ConfigIssue[]): string {
    const head = issues.length === 1 ? `${file}: invalid config` : `${file}: ${issues.length} config errors`;
    const lines = issues.map((i) => {
      const where = `${i.line !== undefined ? `line ${i.line}` : ''}${i.line !== undefined && i.path ? ', ' : ''}${i.path}`;
      return `  ${where || '(file)'}: ${i.message} [${i.code}]${i.example ? `\n      example: ${i.example}` : ''}`;
    });
    return [head, ...lines].join('\n');
  }
}
