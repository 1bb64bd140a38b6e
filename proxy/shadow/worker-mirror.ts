/**
 * Mirroring with the expensive half in a worker thread. The user's event loop only decides, tees the
 * primary answer (and a request body) into a capture and posts it, with the bodies as transferred
 * ArrayBuffers, once the primary answer is complete. The worker (worker-side.ts) issues the mirrored
 * calls through its own keep-alive pools and runs the sink there, so on a small machine the mirror's
 * HTTP work and the comparison no longer queue in front of user requests.
 * The worker (worker-boot.ts, then the entry module) is built from plain data, reports outcomes and the
 * sink's counter increments in batches, and is restarted (and counted) when it fails: the proxy never
 * goes down with it.
 */
import type http from 'node:http';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { Counter, type Registry } from 'prom-client';
import type { DiffRulesByRoute, ShadowConfig } from '../../config/diff-schema.js';
import type { BackendName } from '../../config/proxy-schema.js';
import type { Logger } from '../../core/logger.js';
import { Slots } from '../slots.js';
import type { RouteStats } from '../metrics.js';
import type { SkipReason } from '../shadow-contract.js';
import type { MirrorTarget } from './call.js';
import { RequestBodyCopy, ResponseCapture } from './capture.js';
import { MirrorAdmission, type MirrorRoute } from './admission.js';
import type { MirrorJob, Mirroring } from './mirror.js';
import type { JobBatch, JobMessage, WorkerBootData, WorkerMessage } from './worker-protocol.js';

export interface ShadowWorkerSpec {
  /** The worker's module: it builds its sink from `data` and calls serveShadowJobs (worker-side.ts). */
  entry: URL;
  /** Plain data for the entry (e.g. the loaded config). */
  data: unknown;
  /** A worker silent this long (its loop stuck: it says it is alive every second) is ended and restarted (default 15 s). */
  hangMs?: number;
}

/** The worker's first module: worker-boot.ts, or the .js built from it (same extension as this file). */
const BOOT = new URL(`./worker-boot${path.extname(fileURLToPath(import.meta.url))}`, import.meta.url);

/**
 * A worker thread on worker-boot. Run from source (tsx, jest) the modules are .ts files, which a
 * worker can load only once tsx is registered in it: a one-line script does that first.
 */
function startWorker(workerData: WorkerBootData): Worker {
  if (!BOOT.href.endsWith('.ts') && !workerData.entry.endsWith('.ts')) return new Worker(BOOT, { workerData });
  const script = `import('tsx/esm/api').then((m) => m.register()).then(() => import(${JSON.stringify(BOOT.href)})).catch((err) => setImmediate(() => { throw err; }));`;
  return new Worker(script, { eval: true, workerData });
}

const MAX_RESTART_DELAY_MS = 5000;

/**
 * How long a worker may stay silent before it is taken for stuck. Generous: at nice 19 (or SCHED_IDLE) on a machine
 * the users' requests keep busy, a healthy worker may wait seconds for the CPU.
 */
const HANG_MS = 15_000;

/** A worker's first word (its module loaded, its sink built) may take longer: tsx, a cold disk. */
const START_MS = 60_000;

/** Jobs on their way to or back from the worker, as a multiple of proxy.shadow.maxConcurrency. */
const PIPELINE_FACTOR = 4;

export class WorkerShadowMirror implements Mirroring {
  /** Jobs still capturing the primary answer, on the main thread (Slots tables, not Maps: see proxy/slots.ts). */
  private readonly jobs = new Slots<WorkerJob>();
  /**
   * Jobs posted and not yet reported back, by their route's counters only: a posted job keeps
   * nothing else alive on the main thread. (Holding whole jobs, with the request and its captures,
   * until the worker reported kept them past young-generation collections while the worker was
   * busy, and the user's loop paid for copying them.) A posted job's handle here is its id for the worker.
   */
  private readonly posted = new Slots<RouteStats>();
  private worker: Worker | undefined;
  private closed = false;
  private readonly admission: MirrorAdmission;
  /** The worker has maxConcurrency calls in flight: drop here, before any work is spent on a job. */
  private saturated = false;
  /** The worker starts with the first mirrored request: a proxy that mirrors nothing has none. */
  private started = false;
  private restartDelay = 100;
  private readonly restarts: Counter;
  private readonly registry: Registry;

  constructor(
    private readonly spec: ShadowWorkerSpec,
    private readonly limits: () => ShadowConfig,
    registry: Registry,
    private readonly logger?: Logger,
    random: () => number = Math.random,
  ) {
    this.registry = registry;
    this.admission = new MirrorAdmission(limits, random);
    const existing = registry.getSingleMetric('strangler_shadow_worker_restarts_total');
    this.restarts = existing instanceof Counter ? existing : new Counter({ name: 'strangler_shadow_worker_restarts_total', help: 'Shadow worker thread restarts after a failure or a hang (its mirrored calls in flight are lost, counted as aborted)', registers: [registry] });
  }

  get active(): number {
    return this.jobs.size + this.posted.size;
  }

  private start(): void {
    const { workerNice, workerIdle } = this.limits();
    const worker = startWorker({ entry: this.spec.entry.href, data: this.spec.data, nice: workerNice, idle: workerIdle });
    this.worker = worker;
    this.heard = performance.now();
    this.answered = false;
    this.watchdog ??= setInterval(() => this.watch(), Math.min(1000, this.spec.hangMs ?? HANG_MS)).unref();
    if (this.rules !== undefined) worker.postMessage({ t: 'rules', rules: this.rules });
    // The proxy's stop ends it; it must not keep a process alive on its own.
    worker.unref();
    worker.on('message', (m: WorkerMessage) => this.received(m));
    worker.on('error', (err) => this.logger?.error({ error: err.message }, 'shadow worker failed; restarting it'));
    worker.on('exit', () => {
      if (this.worker !== worker) return;
      this.worker = undefined;
      this.saturated = false;
      if (this.closed) return;
      // Its jobs in flight are lost: count them as aborted, as a stop would.
      this.abortPosted();
      this.restarts.inc();
      const delay = this.restartDelay;
      this.restartDelay = Math.min(this.restartDelay * 2, MAX_RESTART_DELAY_MS);
      setTimeout(() => {
        if (!this.closed) this.start();
      }, delay).unref();
    });
  }

  private heard = 0;
  /** Whether the current worker has said anything yet (it says it is alive as soon as it serves). */
  private answered = false;
  private watchdog: NodeJS.Timeout | undefined;

  /** A worker that stopped answering (an endless loop, a deadlock) is ended; its exit restarts it. */
  private watch(): void {
    const worker = this.worker;
    const hang = this.spec.hangMs ?? HANG_MS;
    if (worker === undefined || performance.now() - this.heard < (this.answered ? hang : Math.max(hang, START_MS))) return;
    this.logger?.error({ silentMs: Math.round(performance.now() - this.heard) }, 'shadow worker stopped answering; restarting it');
    this.heard = performance.now();
    void worker.terminate();
  }

  private received(m: WorkerMessage): void {
    this.heard = performance.now();
    this.answered = true;
    if (m.t === 'alive') return;
    if (m.t === 'warn') {
      this.logger?.warn({ error: m.error }, m.message);
      return;
    }
    if (m.t === 'saturated') {
      this.saturated = m.on;
      return;
    }
    if (m.t !== 'report') return;
    this.restartDelay = 100;
    for (const [id, outcome] of m.outcomes) {
      const stats = this.posted.delete(id);
      if (stats === undefined) continue;
      if (outcome === 'compared') stats.shadowCompared++;
      else if (outcome === 'dropped-concurrency') stats.shadowDropped++;
      else stats.shadowSkip(outcome);
    }
    for (const [name, labels, delta] of m.counters) this.counter(name, Object.keys(labels), m.help[name] ?? name).inc(labels, delta);
  }

  /** The main registry's counter for one of the worker sink's (the cli pre-registers the known ones). */
  private counter(name: string, labelNames: string[], help: string): Counter {
    const existing = this.registry.getSingleMetric(name);
    if (existing instanceof Counter) return existing;
    return new Counter({ name, help, labelNames, registers: [this.registry] });
  }

  begin(
    route: MirrorRoute,
    stats: RouteStats,
    req: http.IncomingMessage,
    primary: BackendName,
    other: MirrorTarget,
    legacy: MirrorTarget,
  ): MirrorJob | undefined {
    const limits = this.closed ? undefined : this.admission.admit(route, req);
    if (limits === undefined) return undefined;
    // The worker bounds the mirrored calls in flight (maxConcurrency) and drops the rest; this
    // bounds the jobs between here and there (waiting for the primary answer, posted, reported back
    // in batches), and with them the bodies held.
    if (this.saturated || this.active >= limits.maxConcurrency * PIPELINE_FACTOR) {
      stats.shadowDropped++;
      return undefined;
    }
    if (!this.started) {
      this.started = true;
      this.start();
    }
    const noise = this.admission.askTwice(limits, route, req);
    const job = new WorkerJob(this, route.name, stats, req, primary, other, noise ? legacy : undefined, limits);
    job.handle = this.jobs.add(job);
    return job;
  }

  private batch: JobBatch | undefined;
  private transfer: ArrayBuffer[] = [];
  private finished: WorkerJob[] = [];

  /**
   * @internal (WorkerJob): its primary answer is complete. The jobs of a turn of the loop are posted
   * together on a later turn (one immediate for all of them): the user's response is written first,
   * and a client that leaves meanwhile still abandons its pair.
   */
  ready(job: WorkerJob): void {
    if (this.finished.push(job) === 1) setImmediate(this.sendFinished);
  }

  private readonly sendFinished = (): void => {
    const jobs = this.finished;
    this.finished = [];
    for (const job of jobs) job.send();
    this.flush();
  };

  /**
   * @internal (WorkerJob): queued, and posted with the other jobs of this turn of the loop. The
   * message's id is given here: the job's handle among those posted.
   */
  post(job: WorkerJob, message: JobMessage, transfer: ArrayBuffer[], targets: MirrorTarget[]): void {
    this.jobs.delete(job.handle);
    if (this.worker === undefined) {
      // Between a failure and the restart: nothing can take it.
      job.stats.shadowSkip('aborted');
      return;
    }
    message.id = this.posted.add(job.stats);
    // Posted by sendFinished (or close) once the turn's jobs are all in.
    this.batch ??= { t: 'jobs', jobs: [], backends: {}, maxConcurrency: this.limits().maxConcurrency };
    this.batch.jobs.push(message);
    for (const t of targets) this.batch.backends[t.name] = t.config;
    for (const b of transfer) this.transfer.push(b);
  }

  private flush(): void {
    const batch = this.batch;
    const transfer = this.transfer;
    this.batch = undefined;
    this.transfer = [];
    if (batch === undefined) return;
    if (this.worker === undefined) {
      for (const m of batch.jobs) this.posted.delete(m.id)?.shadowSkip('aborted');
      return;
    }
    this.worker.postMessage(batch, transfer);
  }

  /** @internal (WorkerJob): abandoned before it was posted. */
  dropped(job: WorkerJob, reason: SkipReason): void {
    this.jobs.delete(job.handle)?.stats.shadowSkip(reason);
  }

  /**
   * The rules of a reloaded config, for the pairs the worker compares from now on; kept, so that a
   * restarted worker (built from the config it was first given) gets them too.
   */
  setRules(rules: DiffRulesByRoute): void {
    this.rules = rules;
    this.worker?.postMessage({ t: 'rules', rules });
  }

  private rules: DiffRulesByRoute | undefined;

  /** Stops mirroring: calls in flight are cut, the worker's sink drains and closes, the worker ends. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.watchdog !== undefined) clearInterval(this.watchdog);
    for (const job of this.jobs) job.abandon('aborted');
    this.flush();
    const worker = this.worker;
    if (worker === undefined) return;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, 10_000);
      timer.unref();
      worker.on('message', (m: WorkerMessage) => {
        if (m.t === 'closed') {
          clearTimeout(timer);
          resolve();
        }
      });
      worker.once('exit', () => {
        clearTimeout(timer);
        resolve();
      });
      worker.postMessage({ t: 'close' });
    });
    this.abortPosted();
    await worker.terminate();
  }

  /** The jobs posted and not reported back are lost (the worker ended or is ending): counted as aborted. */
  private abortPosted(): void {
    for (const stats of this.posted) stats.shadowSkip('aborted');
    this.posted.clear();
  }
}

/** One mirrored request on the main thread: captures, then one postMessage. */
class WorkerJob implements MirrorJob {
  /** Formatted by the worker: a Date and its ISO string per request cost the user's loop. */
  private readonly time = Date.now();
  private readonly started = performance.now();
  private readonly primary: ResponseCapture;
  private readonly body: RequestBodyCopy;
  posted = false;
  /** Its entry in the mirror's table of jobs still capturing. */
  handle = -1;

  constructor(
    private readonly mirror: WorkerShadowMirror,
    private readonly route: string,
    readonly stats: RouteStats,
    private readonly req: http.IncomingMessage,
    primary: BackendName,
    private readonly other: MirrorTarget,
    private readonly legacy: MirrorTarget | undefined,
    private readonly limits: ShadowConfig,
  ) {
    this.primary = new ResponseCapture(primary, limits.maxBodyBytes);
    this.body = new RequestBodyCopy(req, limits.maxBodyBytes);
  }

  primaryResponse(res: http.IncomingMessage): void {
    if (!this.primary.finished) this.primary.tee(res);
  }

  primaryEnd(): void {
    if (this.primary.finish(this.started)) this.mirror.ready(this);
  }

  primaryFailed(code: string, timedOut: boolean): void {
    if (this.primary.finish(this.started, { code, timedOut })) this.mirror.ready(this);
  }

  abandon(reason: SkipReason): void {
    if (this.posted || this.over) return;
    this.over = true;
    this.mirror.dropped(this, reason);
  }

  private over = false;

  /** @internal (WorkerShadowMirror.sendFinished) */
  send(): void {
    if (this.over) return;
    this.over = true;
    this.posted = true;
    const transfer: ArrayBuffer[] = [];
    const primary = this.primary.result(false);
    const held = this.primary.heldBody();
    const primaryBody = held === undefined ? undefined : (copyOut(held.chunks, held.size, transfer) ?? new ArrayBuffer(0));
    const body = this.body.chunks === undefined ? 'too-large' : copyOut(this.body.chunks, this.body.size, transfer);
    this.body.chunks = undefined;
    const req = this.req;
    const requestId = req.headers['x-request-id'];
    const message: JobMessage = {
      id: 0, // given by the mirror as it posts it
      time: this.time,
      route: this.route,
      requestId: Array.isArray(requestId) ? requestId[0] : requestId,
      head: {
        method: req.method ?? 'GET',
        url: req.url ?? '/',
        headers: req.headers,
        socket: { remoteAddress: req.socket.remoteAddress, encrypted: (req.socket as { encrypted?: boolean }).encrypted === true },
      },
      body,
      primary: { ...primary, body: primaryBody },
      other: this.other.name,
      again: this.legacy !== undefined,
      maxBytes: this.limits.maxBodyBytes,
    };
    this.mirror.post(this, message, transfer, this.legacy ? [this.other, this.legacy] : [this.other]);
  }
}

/**
 * The chunks' bytes in a fresh ArrayBuffer of their own, to transfer: a chunk's memory may be a
 * slice of a larger pooled buffer, which must not be detached.
 */
function copyOut(chunks: Buffer[] | undefined, size: number, transfer: ArrayBuffer[]): ArrayBuffer | undefined {
  if (chunks === undefined || chunks.length === 0) return undefined;
  const out = new Uint8Array(size);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  transfer.push(out.buffer);
  return out.buffer;
}
