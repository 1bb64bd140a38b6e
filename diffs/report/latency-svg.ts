/**
 * A route's latency distribution as a small inline SVG: per bucket of the histogram, one bar for
 * legacy and one for the new service, heights as shares of each backend's requests. No script, no
 * external asset; every element closed, so the page still parses as XML.
 */
import type { RouteReport } from './compute.js';

const W = 26;
const H = 80;
const LEGACY = '#5b6bd6';
const NEW = '#e0843a';

function label(bound: number | undefined, prev: number | undefined): string {
  if (bound === undefined) return `>${prev! >= 1000 ? `${prev! / 1000}s` : prev}`;
  return bound >= 1000 ? `${bound / 1000}s` : String(bound);
}

export function latencySvg(r: RouteReport): string {
  const h = r.latencyMs.histogram;
  const total = (xs: number[]) => xs.reduce((a, b) => a + b, 0) || 1;
  const tl = total(h.legacy);
  const tn = total(h.new);
  // Only the buckets from the first to the last that holds a request.
  const used = h.legacy.map((n, i) => n + h.new[i]!);
  const first = used.findIndex((n) => n > 0);
  if (first === -1) return '<p>No latencies recorded.</p>';
  let last = used.length - 1;
  while (last > first && used[last] === 0) last--;
  const cols = last - first + 1;
  const width = cols * W + 10;
  const bars: string[] = [];
  for (let c = 0; c < cols; c++) {
    const i = first + c;
    const x = 5 + c * W;
    const lh = Math.round((h.legacy[i]! / tl) * H);
    const nh = Math.round((h.new[i]! / tn) * H);
    bars.push(
      `<rect x="${x + 2}" y="${H - lh + 4}" width="10" height="${lh}" fill="${LEGACY}"><title>legacy ≤ ${label(h.boundsMs[i], h.boundsMs[i - 1])} ms: ${h.legacy[i]}</title></rect>`,
      `<rect x="${x + 13}" y="${H - nh + 4}" width="10" height="${nh}" fill="${NEW}"><title>new ≤ ${label(h.boundsMs[i], h.boundsMs[i - 1])} ms: ${h.new[i]}</title></rect>`,
      `<text x="${x + W / 2}" y="${H + 18}" font-size="9" text-anchor="middle">${label(h.boundsMs[i], h.boundsMs[i - 1])}</text>`,
    );
  }
  return `<figure class="latency"><svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${H + 24}" role="img" aria-label="latency distribution"><line x1="0" y1="${H + 4}" x2="${width}" y2="${H + 4}" stroke="#d8dce5" />${bars.join('')}</svg>
<figcaption>Latency distribution (ms, share of requests per bucket): <span style="color:${LEGACY}">■ legacy</span> <span style="color:${NEW}">■ new</span></figcaption></figure>`;
}
