/** One stored pair, side by side: legacy on the left, the new service on the right. */
import type { DiffRecord, SideSummary } from './types.js';

const WIDTH = 40;

function show(v: unknown, present: boolean): string {
  if (!present) return '(absent)';
  const s = typeof v === 'string' ? JSON.stringify(v) : JSON.stringify(v) ?? String(v);
  return s.length > WIDTH ? s.slice(0, WIDTH - 1) + '…' : s;
}

function sideText(s: SideSummary): string {
  return `${s.status}${s.error ? ` (${s.error})` : ''}`;
}

export function formatRecord(r: DiffRecord): string {
  const rows: string[][] = [
    ['', 'legacy', 'new'],
    ['status', sideText(r.legacy), sideText(r.new)],
    ['latency ms', String(r.legacy.latencyMs), String(r.new.latencyMs)],
  ];
  for (const d of r.differences) {
    rows.push([`${d.path || '(root)'}  ${d.kind}${d.noise ? ' (noise)' : ''}`, show(d.legacy, 'legacy' in d), show(d.new, 'new' in d)]);
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
  if (r.noiseLearned?.length) lines.push('', `noise learned from this request: ${r.noiseLearned.join(', ')}`);
  return lines.join('\n') + '\n';
}
