/**
 * The plain data the diff engine produces and the diff store keeps. No behaviour here.
 *
 * Paths: a difference in a JSON body is located by a JSON Pointer (RFC 6901/6902 style: "/friends/2/name",
 * "" for the whole document). Differences outside the body use paths that cannot collide with a
 * pointer, since every pointer is "" or starts with "/": "@status", "@headers/<name>", and "@body" for
 * a body compared as text or by hash. HTML and XML differences are at element paths, which start with
 * a tag or "#text" ("html>body>h1#title/#text", "html>body>img.avatar@src", "li[2]": the second of its
 * kind among its siblings).
 */
import type { BackendName } from '../config/proxy-schema.js';

export type DiffKind = 'changed' | 'missing' | 'extra' | 'type' | 'order';

export interface Difference {
  path: string;
  /** changed: both present, same type; missing: only legacy has it; extra: only new has it;
   * type: the JSON types differ; order: the same items in another order. */
  kind: DiffKind;
  /** Absent when missing on that side. */
  legacy?: unknown;
  new?: unknown;
  /** Set when the path is known to differ between two legacy answers (see noise-book.ts). */
  noise?: true;
}

/** What each normaliser (and the number tolerance) absorbed in one comparison. */
export interface NormaliseCounts {
  numericStrings: number;
  emptyArrayObject: number;
  nullMissing: number;
  numberTolerance: number;
}

export const NORMALISERS = ['numericStrings', 'emptyArrayObject', 'nullMissing', 'numberTolerance'] as const;

export function zeroCounts(): NormaliseCounts {
  return { numericStrings: 0, emptyArrayObject: 0, nullMissing: 0, numberTolerance: 0 };
}

export interface DiffOutcome {
  differences: Difference[];
  /** Each body parsed, when it is JSON (kept whole on a mismatched pair without parsing it again). */
  json?: { legacy?: unknown; new?: unknown };
  normalised: NormaliseCounts;
  /** Differences found past the per-body bound and not kept (markup-diff.ts). */
  omitted?: number;
}

export interface SideSummary {
  status: number;
  latencyMs: number;
  error?: string;
}

/**
 * One side's body as a mismatched pair keeps it (kept-answers.ts): JSON parsed when it fits the limit
 * (proxy.diffs.keepBodyBytes), any other text — or JSON past the limit — as text cut at the limit.
 * Masked like the rest of the record before it is stored (redact-record.ts).
 */
export interface KeptBody {
  /** The whole body's size in bytes, as the backend sent it. */
  bytes: number;
  /** What the body was compared as (body.ts); binary bodies are not kept. */
  kind: 'json' | 'html' | 'xml' | 'text' | 'binary';
  json?: unknown;
  text?: string;
  /** The text is the first keepBodyBytes bytes only. */
  truncated?: true;
  /** Why nothing is kept: a binary body (compared by hash), a content-encoded one, or no answer. */
  omitted?: 'binary' | 'encoded' | 'absent';
}

export interface KeptAnswer {
  /** Every response header (lower-case names; repeated ones joined). */
  headers: Record<string, string>;
  body: KeptBody;
}

/** One compared pair, as stored (one JSON line) and read back by reports. */
export interface DiffRecord {
  id: string;
  time: string;
  route: string;
  method: string;
  path: string;
  requestId: string;
  /** Which backend answered the user. */
  primary: BackendName;
  legacy: SideSummary;
  new: SideSummary;
  /** True when no difference remains once noise is set apart. */
  match: boolean;
  differences: Difference[];
  /** The request path's template (core/path-template.ts): noise is counted per route and template. */
  template?: string;
  /** Legacy was asked twice for this request: a noise sample (noiseLearned: what differed, if anything). */
  noiseSampled?: true;
  /** Generic paths that differed between two legacy answers to this request (a noise sample). */
  noiseLearned?: string[];
  /** The two legacy answers differed like after a write (a new id): a GET that is not safe to re-ask. */
  writeSuspect?: string;
  /** Differences found past the per-body bound, not kept. */
  differencesOmitted?: number;
  /** Only the non-zero counts. */
  normalised?: Partial<NormaliseCounts>;
  /** Both whole answers, on a mismatched pair only (matched pairs keep none: they cost no room). */
  answers?: { legacy: KeptAnswer; new: KeptAnswer };
}
