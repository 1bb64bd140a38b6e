/** Builds the stored record of one compared pair. Pure; the id comes from the caller. */
import type { BackendName } from '../config/proxy-schema.js';
import type { CapturedResponse, ShadowPair } from '../proxy/shadow-contract.js';
import { NORMALISERS, type Difference, type DiffOutcome, type DiffRecord, type SideSummary } from './types.js';

function side(r: CapturedResponse): SideSummary {
  const s: SideSummary = { status: r.status, latencyMs: Math.round(r.latencyMs * 100) / 100 };
  if (r.error !== undefined) s.error = r.error;
  return s;
}

export function legacyAndNew(pair: ShadowPair): { legacy: CapturedResponse; next: CapturedResponse; primary: BackendName } {
  const primary = pair.primary.backend;
  return primary === 'legacy'
    ? { legacy: pair.primary, next: pair.shadow, primary }
    : { legacy: pair.shadow, next: pair.primary, primary };
}

/** What a noise sample (legacy asked twice) showed. */
export interface Learned {
  /** Generic fields the two legacy answers differed on. */
  fields: string[];
  writeSuspect?: string;
}

export function buildRecord(id: string, pair: ShadowPair, outcome: DiffOutcome, template?: string, learned?: Learned): DiffRecord {
  const { legacy, next, primary } = legacyAndNew(pair);
  const differences: Difference[] = outcome.differences.map((d) => {
    const out: Difference = { path: d.path, kind: d.kind };
    if ('legacy' in d) out.legacy = d.legacy;
    if ('new' in d) out.new = d.new;
    if (d.noise) out.noise = true;
    return out;
  });
  const record: DiffRecord = {
    id,
    time: pair.time,
    route: pair.route,
    method: pair.method,
    path: pair.path,
    requestId: pair.requestId,
    primary,
    legacy: side(legacy),
    new: side(next),
    match: differences.every((d) => d.noise),
    differences,
  };
  if (template !== undefined) record.template = template;
  if (learned) {
    record.noiseSampled = true;
    if (learned.fields.length > 0) record.noiseLearned = learned.fields;
    if (learned.writeSuspect !== undefined) record.writeSuspect = learned.writeSuspect;
  }
  if (outcome.omitted) record.differencesOmitted = outcome.omitted;
  const normalised: Partial<Record<(typeof NORMALISERS)[number], number>> = {};
  let any = false;
  for (const n of NORMALISERS) {
    if (outcome.normalised[n] > 0) {
      normalised[n] = outcome.normalised[n];
      any = true;
    }
  }
  if (any) record.normalised = normalised;
  return record;
}
