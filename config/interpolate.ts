import YAML from 'yaml';
import type { ConfigIssue } from './issues.js';
import { formatPath } from './issues.js';

const REF = /\$?\$\{[^}\n]*\}/g;
const VAR = /^\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}$/;
const TOKEN = /__strangler_ref_(\d+)__/g;
const WHOLE_TOKEN = /^__strangler_ref_(\d+)__$/;
const SECRET_NAME = /PASS|TOKEN|SECRET|KEY|CREDENTIAL/i;

/**
 * Swaps every `${…}` in the raw text for a plain token before YAML sees it, so that references
 * may stand unquoted anywhere — `admin: { token: ${STRANGLER_ADMIN_TOKEN} }` is not valid YAML as
 * written (`{` opens a flow map) but is what users write. Lines and columns are unchanged in count.
 */
export function protectReferences(text: string): { text: string; refs: string[] } {
  const refs: string[] = [];
  const out = text.replace(REF, (m) => `__strangler_ref_${refs.push(m) - 1}__`);
  return { text: out, refs };
}

export interface InterpolationResult {
  value: unknown;
  issues: ConfigIssue[];
  /** Values substituted for variables whose names look secret; the caller registers them for redaction. */
  secrets: string[];
}

/**
 * Resolves the references protectReferences took out: ${VAR} and ${VAR:-default} from `env`,
 * $${…} as a literal ${…}. A string that is one reference and nothing else takes the YAML type of
 * its value, so that `timeoutMs: ${TIMEOUT:-5000}` is a number. An unset variable with no default
 * is an issue naming it and where it is used.
 */
export function interpolate(doc: unknown, env: NodeJS.ProcessEnv, refs: readonly string[]): InterpolationResult {
  const issues: ConfigIssue[] = [];
  const secrets: string[] = [];

  const resolve = (index: number, path: (string | number)[]): string => {
    const ref = refs[index]!;
    if (ref.startsWith('$$')) return ref.slice(1);
    const m = VAR.exec(ref);
    if (!m) {
      issues.push({ code: 'STRANGLER_E_CONFIG_ENV', path: formatPath(path), message: `"${ref}" is not a variable reference`, example: '${NAME} or ${NAME:-default}' });
      return '';
    }
    const [, name, fallback] = m as unknown as [string, string, string | undefined];
    const v = env[name];
    if (v !== undefined && v !== '') {
      if (SECRET_NAME.test(name)) secrets.push(v);
      return v;
    }
    if (fallback !== undefined) return fallback;
    issues.push({
      code: 'STRANGLER_E_CONFIG_ENV',
      path: formatPath(path),
      message: `environment variable ${name} is not set and has no default`,
      example: `export ${name}=…   or write \${${name}:-default}`,
    });
    return '';
  };

  const walk = (node: unknown, path: (string | number)[]): unknown => {
    if (typeof node === 'string') {
      const whole = WHOLE_TOKEN.exec(node);
      if (whole) {
        const v = resolve(Number(whole[1]), path);
        return !refs[Number(whole[1])]!.startsWith('$$') && /^(-?\d+(\.\d+)?|true|false)$/.test(v) ? YAML.parse(v) : v;
      }
      return node.replace(TOKEN, (_m, i: string) => resolve(Number(i), path));
    }
    if (Array.isArray(node)) return node.map((item, i) => walk(item, [...path, i]));
    if (node !== null && typeof node === 'object') {
      return Object.fromEntries(Object.entries(node).map(([k, v]) => [k, walk(v, [...path, k])]));
    }
    return node;
  };

  return { value: walk(doc, []), issues, secrets };
}
