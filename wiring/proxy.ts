/** Where the proxy's shadow worker thread starts (its dial store is wiring/state.ts, its diff sink wiring/diffs.ts). */
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The shadow worker thread's entry module (wiring/shadow-worker.ts builds the diff sink there from
 * the config it is given). Same extension as this file: .ts under tsx and jest, .js in dist.
 */
export const SHADOW_WORKER_ENTRY = new URL(`./shadow-worker${path.extname(fileURLToPath(import.meta.url))}`, import.meta.url);
