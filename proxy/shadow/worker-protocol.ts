/**
 * The messages between the proxy's main thread and its shadow worker (worker-mirror.ts ⇄
 * worker-side.ts). Plain data only; bodies travel as transferred ArrayBuffers.
 */
import type http from 'node:http';
import type { DiffRulesByRoute } from '../../config/diff-schema.js';
import type { CapturedResponse, SkipReason } from '../shadow-contract.js';
import type { BackendConfig, BackendName } from '../../config/proxy-schema.js';
import type { RequestHead } from './call.js';

/** A mirrored request whose primary answer is complete: the worker calls the other side(s). */
export interface JobMessage {
  id: number;
  /** When the request arrived (epoch ms). */
  time: number;
  route: string;
  requestId: string | undefined;
  head: RequestHead & { headers: http.IncomingHttpHeaders };
  /** The user's request body (undefined: none); 'too-large' past the cap. */
  body: ArrayBuffer | undefined | 'too-large';
  primary: Omit<CapturedResponse, 'body'> & { body: ArrayBuffer | undefined };
  /** The backend to mirror to (its config travels once per batch). */
  other: BackendName;
  /** Whether legacy is to be asked a second time (a noise sample). */
  again: boolean;
  maxBytes: number;
}

/** The jobs of one turn of the main loop, posted together (one message, one wake-up of the worker). */
export interface JobBatch {
  t: 'jobs';
  jobs: JobMessage[];
  backends: Partial<Record<BackendName, BackendConfig>>;
  /** proxy.shadow.maxConcurrency: mirrored requests in flight in the worker, at most. */
  maxConcurrency: number;
}

export type MainMessage = JobBatch | { t: 'rules'; rules: DiffRulesByRoute } | { t: 'close' };

/** A job's outcome as the proxy counts it: compared, or why it was skipped. */
export type Outcome = 'compared' | SkipReason;

/** Counter increments of the worker's sink since its last report: [name, labels, delta]. */
export type CounterDelta = [string, Record<string, string | number>, number];

export type WorkerMessage =
  | { t: 'report'; outcomes: [number, Outcome][]; counters: CounterDelta[]; help: Record<string, string> }
  /** Something for the proxy's log: `message` its line, `error` the cause. */
  | { t: 'warn'; message: string; error: string }
  /** Sent once it serves and every second after, so that the proxy can tell a worker whose loop is stuck (worker-mirror.ts). */
  | { t: 'alive' }
  /** The worker is at (true) or back under (false) its bound: the main thread drops at once meanwhile. */
  | { t: 'saturated'; on: boolean }
  | { t: 'closed' };

/** The worker's workerData: read by worker-boot.ts (entry, nice, idle) and by the entry (data). */
export interface WorkerBootData {
  /** The entry module's URL (href). */
  entry: string;
  /** Plain data for the entry (ShadowWorkerSpec.data). */
  data: unknown;
  /** proxy.shadow.workerNice, proxy.shadow.workerIdle. */
  nice: number;
  idle: boolean;
}
