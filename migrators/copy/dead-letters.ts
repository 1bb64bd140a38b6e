import { appendFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';

/** A row that could not be written: enough to find it (table, key) and to know why. */
export interface DeadLetter {
  at: string;
  table: string;
  kind: string;
  key: string;
  reason: string;
}

export interface DeadLetterSink {
  write(letter: Omit<DeadLetter, 'at'>): void;
  readonly count: number;
}

/**
 * Appends dead letters to a JSONL file, creating it (and its folder) only when the first one comes:
 * a clean run leaves no file behind. Synchronous on purpose: dead letters are rare, and a letter
 * must be on disk before the checkpoint that skips its row.
 */
export function createDeadLetterFile(file: string): DeadLetterSink {
  let count = 0;
  let ready = false;
  return {
    write(letter) {
      if (!ready) {
        mkdirSync(path.dirname(file), { recursive: true });
        ready = true;
      }
      appendFileSync(file, JSON.stringify({ at: new Date().toISOString(), ...letter }) + '\n');
      count++;
    },
    get count() {
      return count;
    },
  };
}

/** For --dry-run: counts (and keeps) what would have been written. */
export function createDeadLetterMemory(): DeadLetterSink & { letters: Omit<DeadLetter, 'at'>[] } {
  const letters: Omit<DeadLetter, 'at'>[] = [];
  return {
    letters,
    write: (l) => void letters.push(l),
    get count() {
      return letters.length;
    },
  };
}
