import YAML from 'yaml';
import type { ConfigIssue } from './issues.js';
import { formatPath } from './issues.js';

const REF = /\$\$\{|\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}/g;
const WHOLE = /^\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}$/;
const SECRET_NAME = /PASS|TOKEN|SECRET|KEY|CREDENTIAL/i;

export interface InterpolationResult {
  value: unknown;
  issues: ConfigIssue[];
  /** Values substituted for variables whose names look secret; the caller registers them for redaction. */
  secrets: string[];
}

/**
 * Replaces ${VAR} and ${VAR:-default} in every string of a parsed config ($${ escapes a literal ${).
 * A string that is one reference and nothing else takes the YAML type of its value, so that
 * `timeoutMs: ${TIMEOUT:-5000}` is a number. An unset variable with no default is an issue.
 */
export function interpolate(doc: unknown, env: NodeJS.ProcessEnv): InterpolationResult {
  const issues: ConfigIssue[] = [];
  const secrets: string[] = [];

  const lookup = (name: string, fallback: string | undefined, path: (string | number)[]): string => {
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
      const whole = WHOLE.exec(node);
      if (whole) {
        const v = lookup(whole[1]!, whole[2], path);
        return /^(-?\d+(\.\d+)?|true|false)$/.test(v) ? YAML.parse(v) : v;
      }
      return node.replace(REF, (m, name: string | undefined, fallback: string | undefined) =>
        name === undefined ? '${' : lookup(name, fallback, path),
      );
    }
    if (Array.isArray(node)) return node.map((item, i) => walk(item, [...path, i]));
    if (node !== null && typeof node === 'object') {
      return Object.fromEntries(Object.entries(node).map(([k, v]) => [k, walk(v, [...path, k])]));
    }
    return node;
  };

  return { value: walk(doc, []), issues, secrets };
}
