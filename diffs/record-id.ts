import { randomBytes } from 'node:crypto';

/** Sortable by time, unique across replicas: base-36 milliseconds, then 6 random hex digits. */
export function newRecordId(now = Date.now()): string {
  return `${now.toString(36)}-${randomBytes(3).toString('hex')}`;
}
