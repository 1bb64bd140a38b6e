/**
 * Noise as a rate, per route, per request path template and per field (Diffy's idea): how often a
 * field differs between two legacy answers to the same request (the noise floor) against how often
 * it differs between legacy and the new service. A field's difference is real unless legacy was seen
 * to differ on it too and the legacy-vs-new rate is not clearly above that floor (a one-sided test on
 * two proportions). So a field noisy on one page is not noise on another page, a rare noise is not a
 * licence for a field that always differs, and a body that is not structured ("@body", "") is never
 * noise at all.
 *
 * The state is plain counts derived from diff records alone (tallyRecord), so a report, another
 * replica or a merged store computes the same rates from the same records.
 */
import { genericPath, splitPointer, joinPointer } from './pointer.js';
import type { DiffRecord } from './types.js';
import { pathTemplate } from '../core/path-template.js';

export interface TemplateTally {
  /** Noise samples: requests legacy answered twice. */
  samples: number;
  /** Per generic field: samples in which the two legacy answers differed on it. */
  sampleFields: Map<string, number>;
  /** Compared pairs (legacy vs new). */
  compared: number;
  /** Per generic field: pairs in which legacy and new differed on it. */
  comparedFields: Map<string, number>;
}

/**
 * One-sided z for "clearly above": 99.9%. A page has dozens of fields and a route many templates, all
 * tested at once; at 95% one noisy field in twenty would pass for real by chance alone.
 */
const Z_CLEARLY_ABOVE = 3.090232306167813;

/**
 * Whether the rate k1/n1 is clearly above k0/n0: a one-sided two-proportion z-test with the pooled
 * proportion. Equal or lower rates, or no data on either side, are not clearly above.
 */
export function clearlyAbove(k1: number, n1: number, k0: number, n0: number, z = Z_CLEARLY_ABOVE): boolean {
  if (n1 <= 0 || n0 <= 0) return n1 > 0 && k1 > 0 && n0 <= 0;
  const p1 = k1 / n1;
  const p0 = k0 / n0;
  if (p1 <= p0) return false;
  const p = (k1 + k0) / (n1 + n0);
  const se = Math.sqrt(p * (1 - p) * (1 / n1 + 1 / n0));
  return se === 0 ? true : (p1 - p0) / se >= z;
}

/** Fields that are never noise: a body compared as one text or hash, a JSON document replaced whole. */
export function neverNoise(field: string): boolean {
  return field === '@body' || field === '';
}

/** The field and the JSON fields above it ("/ad/title" → "/ad/title", "/ad"): a noisy subtree covers its members. */
function candidates(field: string): string[] {
  if (!field.startsWith('/')) return [field];
  const segs = splitPointer(field);
  const out: string[] = [];
  for (let n = segs.length; n >= 1; n--) out.push(joinPointer(segs.slice(0, n)));
  return out;
}

export function isNoiseIn(t: TemplateTally | undefined, field: string): boolean {
  if (!t || neverNoise(field)) return false;
  const k1 = t.comparedFields.get(field) ?? 0;
  for (const c of candidates(field)) {
    const k0 = t.sampleFields.get(c) ?? 0;
    if (k0 > 0 && !clearlyAbove(k1, t.compared, k0, t.samples)) return true;
  }
  return false;
}

function newTally(): TemplateTally {
  return { samples: 0, sampleFields: new Map(), compared: 0, comparedFields: new Map() };
}

/** What one record adds to the tallies. */
export interface Observation {
  template: string;
  /** Generic fields that differed between legacy and new (each once). */
  fields: Iterable<string>;
  /** Present for a noise sample: the generic fields the two legacy answers differed on. */
  learned?: Iterable<string>;
}

export function observationOf(r: DiffRecord): Observation {
  const o: Observation = { template: r.template ?? pathTemplate(r.path), fields: new Set(r.differences.map((d) => genericPath(d.path))) };
  // Records written before samples were marked carry noiseLearned only when something differed.
  if (r.noiseSampled || r.noiseLearned) o.learned = r.noiseLearned ?? [];
  return o;
}

/** Counts one more for a field, unless the map is full and the field new (a page can only have so many). */
function bump(m: Map<string, number>, field: string, max: number): void {
  const n = m.get(field);
  if (n !== undefined) m.set(field, n + 1);
  else if (m.size < max) m.set(field, 1);
}

/**
 * Per route and template; bounded: past maxTemplates a route's new templates share one tally ("*"),
 * and a template counts at most maxFields fields (one not counted in its samples is never noise).
 */
export class NoiseRates {
  private readonly routes = new Map<string, Map<string, TemplateTally>>();

  constructor(
    private readonly maxTemplates = 1000,
    private readonly maxFields = 5000,
  ) {}

  tally(route: string, template: string, create = false): TemplateTally | undefined {
    let byTemplate = this.routes.get(route);
    if (!byTemplate) {
      if (!create) return undefined;
      this.routes.set(route, (byTemplate = new Map()));
    }
    let t = byTemplate.get(template);
    if (!t && byTemplate.size >= this.maxTemplates) template = '*';
    t = byTemplate.get(template);
    if (!t && create) byTemplate.set(template, (t = newTally()));
    return t;
  }

  add(route: string, o: Observation): void {
    const t = this.tally(route, o.template, true)!;
    t.compared++;
    for (const f of o.fields) bump(t.comparedFields, f, this.maxFields);
    if (o.learned) {
      t.samples++;
      for (const f of new Set(o.learned)) bump(t.sampleFields, f, this.maxFields);
    }
  }

  isNoise(route: string, template: string, field: string): boolean {
    return isNoiseIn(this.tally(route, template), field);
  }

  /** The templates of a route and their tallies. */
  templates(route: string): ReadonlyMap<string, TemplateTally> {
    return this.routes.get(route) ?? new Map();
  }
}
