/** One stored pair, side by side: legacy on the left, the new service on the right. */
import { excerptPair } from './excerpt.js';
import type { Difference, DiffRecord, KeptBody, SideSummary } from './types.js';

const WIDTH = 40;

function text(v: unknown): string {
  return JSON.stringify(v) ?? String(v);
}

/** Both values of a difference, each cut to WIDTH around the part where they differ. */
function show(d: Difference): [string, string] {
  const hasL = 'legacy' in d;
  const hasN = 'new' in d;
  const l = hasL ? text(d.legacy) : '';
  const n = hasN ? text(d.new) : '';
  const [el, en] = hasL && hasN ? excerptPair(l, n, WIDTH) : [excerptPair(l, '', WIDTH)[0], excerptPair('', n, WIDTH)[1]];
  return [hasL ? el : '(absent)', hasN ? en : '(absent)'];
}

function sideText(s: SideSummary): string {
  return `${s.status}${s.error ? ` (${s.error})` : ''}`;
}

function keptText(b: KeptBody): string {
  return b.omitted ? `${b.omitted} (${b.bytes} bytes, not kept)` : `${b.kind}, ${b.bytes} bytes${b.truncated ? ' (cut)' : ''}`;
}

export function formatRecord(r: DiffRecord): string {
  const rows: string[][] = [
    ['', 'legacy', 'new'],
    ['status', sideText(r.legacy), sideText(r.new)],
    ['latency ms', String(r.legacy.latencyMs), String(r.new.latencyMs)],
  ];
  for (const d of r.differences) {
    rows.push([`${d.path || '(root)'}  ${d.kind}${d.noise ? ' (noise)' : ''}`, ...show(d)]);
  }
  const w0 = Math.max(...rows.map((x) => x[0]!.length));
  const w1 = Math.max(...rows.map((x) => x[1]!.length));
  const lines = [
    `${r.id}  ${r.time}  ${r.route}  ${r.method} ${r.path}  request ${r.requestId}  (user answered by ${r.primary})`,
    `${r.match ? 'match' : 'MISMATCH'}: ${r.differences.filter((d) => !d.noise).length} difference(s), ${r.differences.filter((d) => d.noise).length} noise` +
      (r.normalised ? `; normalised ${Object.entries(r.normalised).map(([k, n]) => `${k} ${n}`).join(', ')}` : ''),
    '',
    ...rows.map((x) => `${x[0]!.padEnd(w0)}  │ ${x[1]!.padEnd(w1)}  │ ${x[2]}`.trimEnd()),
  ];
  if (r.answers) lines.push('', `whole answers kept: legacy ${keptText(r.answers.legacy.body)}; new ${keptText(r.answers.new.body)} (the console's pair view shows them)`);
  if (r.differencesOmitted) lines.push('', `${r.differencesOmitted} more difference(s) in this pair, not kept`);
  if (r.noiseLearned?.length) lines.push('', `noise learned from this request: ${r.noiseLearned.join(', ')}`);
  if (r.writeSuspect) lines.push(`legacy asked twice answered like after a write: ${r.writeSuspect}`);
  return lines.join('\n') + '\n';
}
