/**
 * The shadow worker thread's entry (started by proxy/shadow/worker-mirror.ts for `proxy start`): it
 * builds the diff sink from the loaded config it is given, on a registry of its own whose counter
 * increments are reported to the proxy's /metrics, and serves mirrored jobs.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { Registry } from 'prom-client';
import type { Config } from '../config/schema.js';
import { describeCause } from '../core/errors.js';
import { serveShadowJobs } from '../proxy/shadow/worker-side.js';
import { createDiffSinkFromConfig } from './diffs.js';

const port = parentPort!;
const config = (workerData as { data: Config }).data;
const registry = new Registry();
let warned = false;
const sink = createDiffSinkFromConfig(config, {
  registry,
  onError: (err) => {
    // Reported on the proxy's logger; once, as the proxy start wiring did.
    if (warned) return;
    warned = true;
    port.postMessage({ t: 'warn', message: describeCause(err) });
  },
});
serveShadowJobs(port, sink, registry);
