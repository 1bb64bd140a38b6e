/**
 * The shadow worker thread's first module (worker-mirror.ts starts the thread on it): it lowers the
 * thread's own priority, then imports the entry (ShadowWorkerSpec.entry), which serves the jobs
 * (worker-side.ts). Nothing imports it: it runs on its own, in the worker.
 *
 * First workerNice, then workerIdle (SCHED_IDLE through chrt, given the thread's own id): on Linux
 * both are per thread, so the user's event loop keeps its own; elsewhere setpriority() would lower
 * the whole process, so it is left alone. libuv's thread pool (files, DNS) takes the priority of the
 * thread that starts it: a stat first makes sure it is running, at the proxy's priority, before the
 * worker's changes.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import { parentPort, workerData } from 'node:worker_threads';
import type { WorkerBootData, WorkerMessage } from './worker-protocol.js';

const boot = workerData as WorkerBootData;

function lowerPriority(): void {
  if (process.platform !== 'linux') return;
  if (boot.nice > 0) {
    try {
      os.setPriority(boot.nice);
    } catch {
      // Refused: the worker runs at the proxy's priority.
    }
  }
  if (boot.idle) {
    try {
      const tid = fs.readlinkSync('/proc/thread-self').split('/').pop()!;
      execFileSync('chrt', ['--idle', '--pid', '0', tid], { stdio: ['ignore', 'ignore', 'pipe'], timeout: 5000 });
    } catch (err) {
      const e = err as { stderr?: Buffer | string; message?: string };
      const warning: WorkerMessage = { t: 'warn', message: 'shadow worker left out of SCHED_IDLE (is util-linux chrt installed?); it runs at its nice value only', error: String(e.stderr || e.message).trim() };
      parentPort?.postMessage(warning);
    }
  }
}

fs.stat('.', () => {
  lowerPriority();
  // An entry that cannot load fails the worker as an uncaught error would: the mirror restarts it.
  import(boot.entry).catch((err: unknown) =>
    setImmediate(() => {
      throw err;
    }),
  );
});
