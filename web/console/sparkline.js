import { html } from '../vendor/preact-htm.js';

/** A small line chart of requests per second (one number per sampling interval), one line per backend; the text beside it says the figures. */
export function Sparkline({ legacy, next, label }) {
  const w = 160;
  const h = 36;
  const n = Math.max(legacy.length, next.length);
  if (n < 2) return html`<span class="spark-empty">collecting…</span>`;
  const max = Math.max(1, ...legacy, ...next);
  const line = (pts) => pts.map((v, i) => `${((i + n - pts.length) / (n - 1)) * w},${(h - 2 - (v / max) * (h - 4)).toFixed(1)}`).join(' ');
  return html`<svg class="spark" viewBox="0 0 ${w} ${h}" width=${w} height=${h} role="img" aria-label=${label}>
    <polyline class="spark-legacy" points=${line(legacy)} />
    <polyline class="spark-new" points=${line(next)} />
  </svg>`;
}
