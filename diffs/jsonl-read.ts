/** Reading stored diff records back: a JSONL file and the files it was rotated into. */
import { createReadStream, existsSync } from 'node:fs';
import { createInterface } from 'node:readline';
import type { DiffRecord } from './types.js';

/** The rotated files of a store (FILE.N … FILE.1) then FILE itself: oldest first; only those that exist. */
export function rotatedFiles(file: string, maxFiles: number): string[] {
  const out: string[] = [];
  for (let i = maxFiles; i >= 1; i--) if (existsSync(`${file}.${i}`)) out.push(`${file}.${i}`);
  if (existsSync(file)) out.push(file);
  return out;
}

export interface ReadCounts {
  /** Lines that are not a record (a torn last line after a crash, a hand edit). */
  bad: number;
}

function isRecord(v: unknown): v is DiffRecord {
  const r = v as DiffRecord;
  return typeof r === 'object' && r !== null && typeof r.id === 'string' && typeof r.route === 'string' && Array.isArray(r.differences);
}

export async function* readRecords(files: readonly string[], counts: ReadCounts = { bad: 0 }): AsyncGenerator<DiffRecord> {
  for (const file of files) {
    const lines = createInterface({ input: createReadStream(file, 'utf8'), crlfDelay: Infinity });
    for await (const line of lines) {
      if (line.trim() === '') continue;
      let parsed: unknown;
      try {
        parsed = JSON.parse(line);
      } catch {
        counts.bad++;
        continue;
      }
      if (isRecord(parsed)) yield parsed;
      else counts.bad++;
    }
  }
}
