/** What verify found, per table; written as the JSON report and summarised on the terminal. */
export type Difference =
  | { type: 'MISSING_IN_TARGET'; key: string; pk: string; reason?: string }
  | { type: 'EXTRA_IN_TARGET'; key: string }
  | { type: 'FIELD_DIFF'; key: string; pk: string; fields: FieldDiff[] };

export interface FieldDiff {
  property: string;
  /** The MySQL column the property comes from (the property name when a transform made it). */
  column: string;
  /** Canonical encodings (see migrators/mapping/canonical.ts): `i:42`, `s:"x"`, `absent`… */
  source: string;
  target: string;
}

export interface TableVerification {
  table: string;
  kind: string;
  /** COUNT(*) in MySQL and the count aggregation over the kind. */
  sourceRows: number;
  targetEntities: number;
  /** Percentage of chunks compared (100 unless --sample). */
  sample: number;
  chunks: number;
  chunksCompared: number;
  chunksDiffering: number;
  rowsCompared: number;
  /** Whether the keys-only pass for entities without a row ran (it runs when the counts or the
   * chunks say an extra entity may exist; otherwise equal counts and no missing key prove none). */
  extraScan: boolean;
  counts: Record<Difference['type'], number>;
  /** At most MAX_LISTED; `counts` has the totals. */
  differences: Difference[];
  ms: number;
  clean: boolean;
}

export interface VerifyReport {
  at: string;
  clean: boolean;
  tables: TableVerification[];
}

export const MAX_LISTED = 1000;
