/**
 * The report as one self-contained HTML page: inline CSS, no script, no external asset, so it can be
 * attached to a ticket or archived by CI. Every value is escaped; the markup is well-formed
 * (every element closed) so it also parses as XML.
 */
import type { Report, RouteReport } from './compute.js';
import { kinds, ms, normalisedText, pct } from './format-text.js';

export function escapeHtml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

const CSS = `
body{font:14px/1.45 system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:2rem;color:#1d2330;background:#fff}
h1{font-size:1.4rem;margin:0 0 .3rem}h2{font-size:1.1rem;margin:2rem 0 .4rem}
p.meta{color:#5b6475;margin:0 0 1rem}
table{border-collapse:collapse;margin:.4rem 0 1rem;min-width:40rem}
th,td{border:1px solid #d8dce5;padding:.3rem .6rem;text-align:right;vertical-align:top}
th{background:#f3f5f9}td.l,th.l{text-align:left}code{font:12px/1.3 ui-monospace,Menlo,Consolas,monospace}
.ready{color:#0a7a33;font-weight:600}.not-ready{color:#b3261e;font-weight:600}
.verdict{display:inline-block;padding:.15rem .5rem;border-radius:.3rem;background:#f3f5f9}
ul{margin:.2rem 0 1rem}`;

function verdict(r: RouteReport): string {
  return r.ready ? '<span class="ready">ready</span>' : '<span class="not-ready">not ready</span>';
}

function routeSection(r: RouteReport): string {
  const fields =
    r.topFields.length === 0
      ? '<p>No differing fields.</p>'
      : `<table><thead><tr><th class="l">field</th><th>records</th><th class="l">kinds</th><th class="l">example record</th></tr></thead><tbody>${r.topFields
          .map((f) => `<tr><td class="l"><code>${escapeHtml(f.path)}</code></td><td>${f.count}</td><td class="l">${escapeHtml(kinds(f))}</td><td class="l"><code>${escapeHtml(f.example ?? '')}</code></td></tr>`)
          .join('')}</tbody></table>`;
  const noise =
    r.noiseFields.length === 0
      ? '<p>No noise fields.</p>'
      : `<ul>${r.noiseFields.map((f) => `<li><code>${escapeHtml(f.path)}</code>${f.count > 0 ? ` (${f.count})` : ''}</li>`).join('')}</ul>`;
  return `<section id="route-${escapeHtml(r.route)}"><h2>${escapeHtml(r.route)} — ${verdict(r)}</h2>
${r.reasons.length > 0 ? `<p>${escapeHtml(r.reasons.join('; '))}</p>` : ''}
<h3>Top differing fields</h3>${fields}
<h3>Noise (differs between two legacy answers)</h3>${noise}
<p>Normalised: ${escapeHtml(normalisedText(r))}</p></section>`;
}

export function formatHtml(report: Report): string {
  const rows = report.routes
    .map(
      (r) =>
        `<tr><td class="l">${escapeHtml(r.route)}</td><td>${r.compared}</td><td>${r.matched}</td><td>${pct(r.mismatchRate)}</td><td>${pct(r.mismatchUpper95)}</td><td>${ms(r.latencyMs.legacy.p50)} / ${ms(r.latencyMs.legacy.p95)}</td><td>${ms(r.latencyMs.new.p50)} / ${ms(r.latencyMs.new.p95)}</td><td class="l">${verdict(r)}</td></tr>`,
    )
    .join('\n');
  const overall = report.ready ? '<span class="ready">every route ready</span>' : '<span class="not-ready">not ready</span>';
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8" /><title>strangler diff report</title><style>${CSS}</style></head>
<body><h1>Dual-read diff report</h1>
<p class="meta">Generated ${escapeHtml(report.generatedAt)}${report.since ? `, records since ${escapeHtml(report.since)}` : ''}; ${report.records} record(s).
A route is ready when the 95% upper bound of its mismatch rate is at most ${report.maxMismatchPct}% and it has at least ${report.minCompared} compared pairs.</p>
<p class="verdict">Verdict: ${overall}</p>
<table id="summary"><thead><tr><th class="l">route</th><th>compared</th><th>matched</th><th>mismatch</th><th>upper 95%</th><th>legacy p50 / p95 ms</th><th>new p50 / p95 ms</th><th class="l">verdict</th></tr></thead>
<tbody>
${rows}
</tbody></table>
${report.routes.map(routeSection).join('\n')}
</body></html>
`;
}
