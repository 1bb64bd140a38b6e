/**
 * HTML and XML compared by structure: both documents parsed (htmlparser2), then walked side by side.
 * A difference is located at an element path ("html>body>header>h1#site-title/#text",
 * "html>body>img.avatar@src"), so that a changed title and a random avatar host are two fields,
 * each with its own rate of noise, and never one "@body".
 * - whitespace inside text is collapsed and whitespace-only text is left out; attribute order is ignored;
 * - the children of two matched elements are aligned (jsdiff's diffArrays on "tag#id"), so an inserted
 *   element is one "extra", not a shift of every sibling after it;
 * - <script> and <style> content is compared as one text per element; comments and the doctype are not compared;
 * - at most MAX_DIFFERENCES per body, each with both values cut to an excerpt around what differs.
 * Pure: text in, differences out.
 */
import { diffArrays } from 'diff';
import { DomUtils, parseDocument } from 'htmlparser2';
import { excerptPair, snippet } from './excerpt.js';
import type { Difference } from './types.js';

type Doc = ReturnType<typeof parseDocument>;
type Node = Doc['children'][number];
type Element = Parameters<typeof DomUtils.getAttributeValue>[0];

export const MAX_DIFFERENCES = 100;

type Item = { key: string; el: Element; label: string } | { key: '#text'; text: string; label: string };

interface Walk {
  /** Both sources: an element whose source text is the same on both sides is skipped whole. */
  a: string;
  b: string;
  out: Difference[];
  /** Differences found beyond MAX_DIFFERENCES (not kept). */
  omitted: number;
}

function collapse(s: string): string {
  return s.replace(/\s+/g, ' ').trim();
}

function elementKey(el: Element): string {
  const id = el.attribs.id?.trim();
  return id ? `${el.name}#${id}` : el.name;
}

/** "div#main.card.wide": the key plus the classes (sorted), for a reader; the key alone aligns. */
function elementLabel(el: Element, key: string): string {
  const classes = (el.attribs.class ?? '').trim().split(/\s+/).filter(Boolean).sort();
  return classes.length === 0 ? key : `${key}.${classes.join('.')}`;
}

/** An element's children as elements and texts (adjacent texts and CDATA joined, blank ones left out). */
function items(nodes: readonly Node[]): Item[] {
  const out: Item[] = [];
  let text = '';
  const flush = () => {
    const t = collapse(text);
    if (t !== '') out.push({ key: '#text', text: t, label: '#text' });
    text = '';
  };
  for (const n of nodes) {
    if (DomUtils.isText(n)) text += n.data;
    else if (DomUtils.isCDATA(n)) text += DomUtils.textContent(n);
    else if (DomUtils.isTag(n)) {
      flush();
      const key = elementKey(n);
      out.push({ key, el: n, label: elementLabel(n, key) });
    }
    // Comments, processing instructions and the doctype are not compared.
  }
  flush();
  // Siblings with the same label are told apart by their rank among them: "li[2]".
  const seen = new Map<string, number>();
  for (const it of out) seen.set(it.label, (seen.get(it.label) ?? 0) + 1);
  const rank = new Map<string, number>();
  for (const it of out) {
    if (seen.get(it.label)! < 2) continue;
    const r = (rank.get(it.label) ?? 0) + 1;
    rank.set(it.label, r);
    it.label = `${it.label}[${r}]`;
  }
  return out;
}

function push(w: Walk, d: Difference): void {
  if (w.out.length < MAX_DIFFERENCES) w.out.push(d);
  else w.omitted++;
}

function childPath(parent: string, it: Item): string {
  if (parent === '') return it.label;
  return it.key === '#text' ? `${parent}/${it.label}` : `${parent}>${it.label}`;
}

function whole(it: Item): string {
  return 'text' in it ? snippet(it.text) : snippet(collapse(DomUtils.getOuterHTML(it.el)));
}

function compareAttributes(a: Element, b: Element, path: string, w: Walk): void {
  const names = new Set([...Object.keys(a.attribs), ...Object.keys(b.attribs)]);
  for (const name of [...names].sort()) {
    const x = a.attribs[name];
    const y = b.attribs[name];
    const at = `${path}@${name}`;
    if (x === undefined) push(w, { path: at, kind: 'extra', new: snippet(y!) });
    else if (y === undefined) push(w, { path: at, kind: 'missing', legacy: snippet(x) });
    else if (x !== y) {
      const cx = name === 'class' ? x.trim().split(/\s+/).sort().join(' ') : collapse(x);
      const cy = name === 'class' ? y.trim().split(/\s+/).sort().join(' ') : collapse(y);
      if (cx !== cy) {
        const [ex, ey] = excerptPair(x, y);
        push(w, { path: at, kind: 'changed', legacy: ex, new: ey });
      }
    }
  }
}

function compareChildren(a: readonly Node[], b: readonly Node[], path: string, w: Walk): void {
  const left = items(a);
  const right = items(b);
  const same = left.length === right.length && left.every((it, i) => it.key === right[i]!.key);
  if (same) {
    for (let i = 0; i < left.length; i++) compareItems(left[i]!, right[i]!, path, w);
    return;
  }
  let i = 0;
  let j = 0;
  for (const part of diffArrays(left.map((x) => x.key), right.map((x) => x.key))) {
    const n = part.count ?? part.value.length;
    if (part.removed) for (let k = 0; k < n; k++, i++) push(w, { path: childPath(path, left[i]!), kind: 'missing', legacy: whole(left[i]!) });
    else if (part.added) for (let k = 0; k < n; k++, j++) push(w, { path: childPath(path, right[j]!), kind: 'extra', new: whole(right[j]!) });
    else for (let k = 0; k < n; k++, i++, j++) compareItems(left[i]!, right[j]!, path, w);
  }
}

function compareItems(x: Item, y: Item, parent: string, w: Walk): void {
  const path = childPath(parent, x);
  if ('text' in x || 'text' in y) {
    if ('text' in x && 'text' in y && x.text !== y.text) {
      const [ex, ey] = excerptPair(x.text, y.text);
      push(w, { path, kind: 'changed', legacy: ex, new: ey });
    }
    return;
  }
  // Fast path: most of a page is the same bytes on both sides (startIndex/endIndex from the parser).
  const xs = x.el.startIndex;
  const ys = y.el.startIndex;
  const xe = x.el.endIndex;
  const ye = y.el.endIndex;
  if (xs !== null && ys !== null && xe !== null && ye !== null && xe - xs === ye - ys && w.a.slice(xs, xe + 1) === w.b.slice(ys, ye + 1)) return;
  compareAttributes(x.el, y.el, path, w);
  compareChildren(x.el.children, y.el.children, path, w);
}

export interface MarkupOutcome {
  differences: Difference[];
  /** Differences past MAX_DIFFERENCES, counted and not kept. */
  omitted: number;
}

/** Compares two HTML (or, with xml, XML) documents by structure. */
export function diffMarkup(legacy: string, next: string, xml = false): MarkupOutcome {
  const options = { xmlMode: xml, withStartIndices: true, withEndIndices: true };
  const w: Walk = { a: legacy, b: next, out: [], omitted: 0 };
  compareChildren(parseDocument(legacy, options).children, parseDocument(next, options).children, '', w);
  return { differences: w.out, omitted: w.omitted };
}
