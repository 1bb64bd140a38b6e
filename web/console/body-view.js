// One side of a pair's whole body, pretty-printed, with the parts that differ marked: JSON by the
// pointers of the record's differences (a key that only this side has is marked with its value),
// other text by line (a line the other side does not have).
import { html } from '../vendor/preact-htm.js';

const pad = (n) => '  '.repeat(n);
const escapeSegment = (k) => k.replace(/~/g, '~0').replace(/\//g, '~1');

function node(v, ptr, depth, marks) {
  if (Array.isArray(v)) {
    if (v.length === 0) return '[]';
    const out = ['[\n'];
    v.forEach((x, i) => out.push(pad(depth + 1), member(null, x, `${ptr}/${i}`, depth + 1, marks), i < v.length - 1 ? ',\n' : '\n'));
    out.push(pad(depth), ']');
    return out;
  }
  if (v !== null && typeof v === 'object') {
    const keys = Object.keys(v);
    if (keys.length === 0) return '{}';
    const out = ['{\n'];
    keys.forEach((k, i) => out.push(pad(depth + 1), member(k, v[k], `${ptr}/${escapeSegment(k)}`, depth + 1, marks), i < keys.length - 1 ? ',\n' : '\n'));
    out.push(pad(depth), '}');
    return out;
  }
  return JSON.stringify(v);
}

function member(key, v, ptr, depth, marks) {
  const inner = [key === null ? '' : `${JSON.stringify(key)}: `, node(v, ptr, depth, marks)];
  const cls = marks.get(ptr);
  return cls ? html`<mark class=${cls} title=${ptr}>${inner}</mark>` : inner;
}

/** Pointer → mark class for one side: what differs there (noise in its own colour). */
export function marksFor(differences, side) {
  const marks = new Map();
  for (const d of differences) {
    if (d.path.startsWith('@')) continue;
    if ((side === 'legacy' && d.kind === 'extra') || (side === 'new' && d.kind === 'missing')) continue;
    if (!marks.has(d.path) || !d.noise) marks.set(d.path, d.noise ? 'noise' : 'differs');
  }
  return marks;
}

function textLines(text, other) {
  const theirs = new Set((other ?? '').split('\n'));
  return text.split('\n').map((line, i, all) => {
    const nl = i < all.length - 1 ? '\n' : '';
    return theirs.has(line) ? line + nl : html`<mark class="differs">${line}</mark>${nl}`;
  });
}

const OMITTED = {
  binary: 'a binary body: compared by hash, not kept',
  encoded: 'a content-encoded body: not kept',
  absent: 'no body: the backend gave no answer',
};

function size(bytes) {
  return bytes < 1024 ? `${bytes} bytes` : `${(bytes / 1024).toFixed(bytes < 10240 ? 1 : 0)} KiB`;
}

/** `body` is this side's kept body, `other` the other side's (for line marks), `differences` the record's. */
export function BodyView({ side, body, other, differences }) {
  if (body.omitted) return html`<p class="muted" data-body=${side}>${OMITTED[body.omitted]} (${size(body.bytes)}).</p>`;
  const content =
    'json' in body
      ? member(null, body.json, '', 0, marksFor(differences, side))
      : textLines(body.text ?? '', other && ('text' in other ? other.text : JSON.stringify(other.json, null, 2)));
  return html`<div>
    <p class="muted">${body.kind}, ${size(body.bytes)}${body.truncated ? html` — <strong>cut</strong>: the first part only` : ''}</p>
    <pre class="body" data-body=${side} tabindex="0" aria-label="${side} body">${content}</pre>
  </div>`;
}
