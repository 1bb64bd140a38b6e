import { randomBytes } from 'node:crypto';

/** Drawn once per process: what keeps ids of replicas (and of the proxy's worker) apart. */
const PROCESS = randomBytes(3).toString('hex');
let counter = 0;

/**
 * Sortable by time, unique across replicas: base-36 milliseconds, 6 random hex digits drawn once per
 * process, then a counter (random bytes per record cost a shadowing worker more than its comparisons).
 */
export function newRecordId(now = Date.now()): string {
  counter = (counter + 1) % 0x1000000;
  return `${now.toString(36)}-${PROCESS}${counter.toString(36)}`;
}
