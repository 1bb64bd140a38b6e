/**
 * The diff engine: what differs between legacy's answer and the new service's answer to one request,
 * under a route's rules. Pure: plain data in, plain data out, no I/O.
 */
import type { CapturedResponse } from '../proxy/shadow-contract.js';
import { classify, excerpts, normaliseWhitespace, parseJson, sha256 } from './body.js';
import { diffJson } from './json-diff.js';
import { diffMarkup, type MarkupOutcome } from './markup-diff.js';
import { diffText } from './text-diff.js';
import type { CompiledRules } from './rules.js';
import { zeroCounts, type Difference, type DiffOutcome } from './types.js';

/** The parts of a captured response the engine reads. */
export type Answer = Pick<CapturedResponse, 'status' | 'headers' | 'body'>;

function headerValue(headers: Answer['headers'], name: string): string | undefined {
  const v = headers[name];
  if (v === undefined) return undefined;
  return (Array.isArray(v) ? v.join(', ') : v).trim();
}

/** Media types and their parameters are case-insensitive; spacing around ";" is not significant. */
function normaliseHeader(name: string, value: string): string {
  return name === 'content-type' ? value.toLowerCase().replace(/\s*;\s*/g, ';').replace(/\s*=\s*/g, '=') : value;
}

function compareHeaders(legacy: Answer, next: Answer, rules: CompiledRules, out: Difference[]): void {
  for (const name of rules.headers) {
    const a = headerValue(legacy.headers, name);
    const b = headerValue(next.headers, name);
    const path = `@headers/${name}`;
    if (a === undefined && b === undefined) continue;
    if (b === undefined) out.push({ path, kind: 'missing', legacy: a });
    else if (a === undefined) out.push({ path, kind: 'extra', new: b });
    else if (a !== b && normaliseHeader(name, a) !== normaliseHeader(name, b)) out.push({ path, kind: 'changed', legacy: a, new: b });
  }
}

function add(outcome: DiffOutcome, found: MarkupOutcome): void {
  outcome.differences.push(...found.differences);
  if (found.omitted > 0) outcome.omitted = (outcome.omitted ?? 0) + found.omitted;
}

function compareText(a: string, b: string, outcome: DiffOutcome): void {
  if (normaliseWhitespace(a) === normaliseWhitespace(b)) return;
  add(outcome, diffText(a, b));
}

function compareBodies(legacy: Answer, next: Answer, rules: CompiledRules, outcome: DiffOutcome): void {
  const a = legacy.body;
  const b = next.body;
  if (a === undefined || b === undefined || a.equals(b)) return;
  const kind = classify(headerValue(legacy.headers, 'content-type') ?? headerValue(next.headers, 'content-type'));
  const out = outcome.differences;
  if (kind === 'json') {
    const pa = parseJson(a);
    const pb = parseJson(b);
    outcome.json = { ...(pa.ok ? { legacy: pa.value } : {}), ...(pb.ok ? { new: pb.value } : {}) };
    if (pa.ok && pb.ok) {
      out.push(...diffJson(pa.value, pb.value, rules, outcome.normalised));
      return;
    }
    if (pa.ok !== pb.ok) {
      // One side is not JSON at all (an HTML error page, a PHP warning before the JSON).
      const [ea, eb] = excerpts(a.toString('utf8'), b.toString('utf8'));
      out.push({ path: '@body', kind: 'type', legacy: ea, new: eb });
      return;
    }
    return compareText(a.toString('utf8'), b.toString('utf8'), outcome);
  }
  if (kind === 'html' || kind === 'xml') return add(outcome, diffMarkup(a.toString('utf8'), b.toString('utf8'), kind === 'xml'));
  if (kind === 'text') return compareText(a.toString('utf8'), b.toString('utf8'), outcome);
  out.push({ path: '@body', kind: 'changed', legacy: sha256(a), new: sha256(b) });
}

/**
 * Compares two answers: status, the allow-listed headers, then the bodies by content type.
 * An answer without a body (no HTTP answer, or a skipped capture) has no body to compare.
 */
export function compareAnswers(legacy: Answer, next: Answer, rules: CompiledRules): DiffOutcome {
  const outcome: DiffOutcome = { differences: [], normalised: zeroCounts() };
  if (legacy.status !== next.status) outcome.differences.push({ path: '@status', kind: 'changed', legacy: legacy.status, new: next.status });
  compareHeaders(legacy, next, rules, outcome.differences);
  compareBodies(legacy, next, rules, outcome);
  return outcome;
}
