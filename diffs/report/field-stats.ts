/**
 * Per route, what each differing field did on each request path template: how many records, which
 * kinds, a few request paths and a few example pairs (both values) for a person to look at. Bounded:
 * a few paths and examples per field and template. Pure accumulation; compute.ts judges.
 */
import { genericPath } from '../pointer.js';
import type { DiffKind, DiffRecord } from '../types.js';

/** One difference as it appeared in one record, for the report's inline examples. */
export interface FieldExample {
  /** The record id (`diffs show`). */
  id: string;
  /** The request path. */
  request: string;
  /** The exact path of the difference (with ranks and indexes). */
  at: string;
  kind: DiffKind;
  legacy?: unknown;
  new?: unknown;
}

export interface TemplateFieldStat {
  template: string;
  count: number;
  kinds: Partial<Record<DiffKind, number>>;
  /** Distinct request paths it differed on (at most PATHS). */
  paths: string[];
  examples: FieldExample[];
}

const PATHS = 5;
const EXAMPLES = 2;

export class FieldStats {
  /** field → template → stat. */
  readonly byField = new Map<string, Map<string, TemplateFieldStat>>();

  constructor(private readonly maxFields = 10_000) {}

  add(record: DiffRecord, template: string): void {
    const seen = new Set<string>();
    for (const d of record.differences) {
      const g = genericPath(d.path);
      let byTemplate = this.byField.get(g);
      if (!byTemplate) {
        if (this.byField.size >= this.maxFields) continue;
        this.byField.set(g, (byTemplate = new Map()));
      }
      let s = byTemplate.get(template);
      if (!s) byTemplate.set(template, (s = { template, count: 0, kinds: {}, paths: [], examples: [] }));
      s.kinds[d.kind] = (s.kinds[d.kind] ?? 0) + 1;
      if (seen.has(g)) continue;
      seen.add(g);
      s.count++;
      if (s.paths.length < PATHS && !s.paths.includes(record.path)) s.paths.push(record.path);
      if (s.examples.length < EXAMPLES) {
        const e: FieldExample = { id: record.id, request: record.path, at: d.path, kind: d.kind };
        if ('legacy' in d) e.legacy = d.legacy;
        if ('new' in d) e.new = d.new;
        s.examples.push(e);
      }
    }
  }
}
