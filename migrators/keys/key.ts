/** A primary key as the migrators carry it: its columns, and one row's values in column order. */
export interface KeyColumn {
  name: string;
  /** An integer column: bound values are sent as exact integers (BigInt), never as strings
   * that MySQL would compare as doubles and so round beyond 2^53. */
  integer: boolean;
}

/** A primary-key value as read (mysql2: number, exact string, or Buffer for binary keys). */
export type KeyValue = string | number | Buffer;

/** The key of a row, in key-column order. */
export function keyOf(row: Record<string, unknown>, key: readonly KeyColumn[]): KeyValue[] {
  return key.map((c) => row[c.name] as KeyValue);
}
