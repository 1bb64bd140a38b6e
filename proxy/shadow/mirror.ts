import { randomUUID } from 'node:crypto';
import type http from 'node:http';
import { performance } from 'node:perf_hooks';
import type { BackendName } from '../../config/proxy-schema.js';
import type { DiffRulesByRoute, ShadowConfig } from '../../config/diff-schema.js';
import { Slots } from '../slots.js';
import type { RouteStats } from '../metrics.js';
import type { ShadowPair, ShadowSink, SkipReason } from '../shadow-contract.js';
import { mirrorCall, MirrorPools, type MirrorTarget } from './call.js';
import { RequestBodyCopy, ResponseCapture } from './capture.js';
import { MirrorAdmission, type MirrorRoute } from './admission.js';

export type { MirrorTarget } from './call.js';
export type { MirrorRoute } from './admission.js';

/** The user's path sees this of a mirrored request (in-process here, or a worker's: worker-mirror.ts). */
export interface MirrorJob {
  primaryResponse(res: http.IncomingMessage): void;
  primaryEnd(): void;
  primaryFailed(code: string, timedOut: boolean): void;
  abandon(reason: SkipReason): void;
}

/** What the proxy holds to mirror requests. */
export interface Mirroring {
  readonly active: number;
  begin(
    route: MirrorRoute,
    stats: RouteStats,
    req: http.IncomingMessage,
    primary: BackendName,
    other: MirrorTarget,
    legacy: MirrorTarget,
  ): MirrorJob | undefined;
  /** A config reload's diff rules, for the pairs compared from now on. */
  setRules(rules: DiffRulesByRoute): void;
  close(): void | Promise<void>;
}

/**
 * Mirrors a share of requests to the other backend and hands each pair of answers to the sink.
 * Everything here is off the user's path: the mirrored call starts on a later turn of the event loop,
 * the primary answer is read by an extra 'data' listener (no backpressure on the user's stream),
 * nothing of it can fail or delay the user's response, and at most `maxConcurrency` mirrored requests
 * are in flight (the rest are dropped and counted, never queued).
 */
export class ShadowMirror implements Mirroring {
  /** A Slots table, not a Set: see proxy/slots.ts. */
  private readonly jobs = new Slots<ShadowJob>();
  // Two calls per job at most (the mirror and a noise re-call), so the pool never queues.
  readonly pools = new MirrorPools(() => this.limits().maxConcurrency * 2);
  private closed = false;
  private readonly admission: MirrorAdmission;

  constructor(
    readonly sink: ShadowSink,
    private readonly limits: () => ShadowConfig,
    random: () => number = Math.random,
  ) {
    this.admission = new MirrorAdmission(limits, random);
  }

  /** Mirrored requests in flight now. */
  get active(): number {
    return this.jobs.size;
  }

  /**
   * Called on the request path, after the primary backend is chosen: a draw and a counter, and
   * only for a mirrored request a job record. Returns the job to feed the primary answer into.
   */
  begin(
    route: MirrorRoute,
    stats: RouteStats,
    req: http.IncomingMessage,
    primary: BackendName,
    other: MirrorTarget,
    legacy: MirrorTarget,
  ): ShadowJob | undefined {
    const limits = this.closed ? undefined : this.admission.admit(route, req);
    if (limits === undefined) return undefined;
    if (this.jobs.size >= limits.maxConcurrency) {
      stats.shadowDropped++;
      return undefined;
    }
    const noise = this.admission.askTwice(limits, route, req);
    const job = new ShadowJob(this, route.name, stats, req, primary, other, noise ? legacy : undefined, limits.maxBodyBytes);
    job.handle = this.jobs.add(job);
    return job;
  }

  /** A job is over: hand its pair to the sink on a later turn, so that a slow sink delays nobody. */
  finished(job: ShadowJob, pair: ShadowPair | undefined, skip: SkipReason | undefined): void {
    this.jobs.delete(job.handle);
    if (skip !== undefined) job.stats.shadowSkip(skip);
    if (pair === undefined || this.closed) return;
    if (skip === undefined) job.stats.shadowCompared++;
    setImmediate(() => {
      try {
        this.sink.accept(pair);
      } catch {
        // The sink must not throw (see shadow-contract.ts); if it does, the pair is lost, nothing else.
      }
    });
  }

  setRules(rules: DiffRulesByRoute): void {
    this.sink.setRules?.(rules);
  }

  /** Aborts mirrored calls in flight (their pairs are not handed over) and frees the pools. */
  close(): void {
    this.closed = true;
    for (const job of this.jobs) job.abandon('aborted');
    this.pools.destroy();
  }
}

/** One mirrored request: the primary answer (teed), the mirror's, and maybe legacy's second. */
export class ShadowJob implements MirrorJob {
  /** Its entry in the mirror's table of jobs. */
  handle = -1;
  private readonly time = new Date().toISOString();
  private readonly started = performance.now();
  private readonly primary: ResponseCapture;
  private readonly shadow: ResponseCapture;
  private readonly again: ResponseCapture | undefined;
  private readonly outgoing: http.ClientRequest[] = [];
  private readonly body: RequestBodyCopy;
  private pending: number;
  private over = false;

  constructor(
    private readonly mirror: ShadowMirror,
    private readonly route: string,
    readonly stats: RouteStats,
    private readonly req: http.IncomingMessage,
    primary: BackendName,
    private readonly other: MirrorTarget,
    private readonly legacyAgain: MirrorTarget | undefined,
    private readonly maxBytes: number,
  ) {
    this.primary = new ResponseCapture(primary, maxBytes);
    this.shadow = new ResponseCapture(other.name, maxBytes);
    this.again = legacyAgain ? new ResponseCapture('legacy', maxBytes) : undefined;
    this.pending = this.again ? 3 : 2;
    this.body = new RequestBodyCopy(req, maxBytes);
    if (this.body.present) req.on('end', () => setImmediate(() => this.send()));
    else setImmediate(() => this.send());
  }

  /** The primary backend's response head; its body is teed from here as it streams to the user. */
  primaryResponse(res: http.IncomingMessage): void {
    if (!this.over) this.primary.tee(res);
  }

  primaryEnd(): void {
    if (this.primary.finish(this.started)) this.partDone();
  }

  primaryFailed(code: string, timedOut: boolean): void {
    if (this.primary.finish(this.started, { code, timedOut })) this.partDone();
  }

  /** Gives up the pair (the user left, or the request was answered by another backend). */
  abandon(reason: SkipReason): void {
    if (this.over) return;
    this.over = true;
    for (const out of this.outgoing) out.destroy();
    this.mirror.finished(this, undefined, reason);
  }

  private send(): void {
    if (this.over) return;
    const chunks = this.body.chunks;
    if (chunks === undefined) {
      // The request body was over the cap: nothing to mirror it with.
      for (const c of [this.shadow, this.again]) c?.fail('body-too-large', 'request body over proxy.shadow.maxBodyBytes');
      this.pending -= this.again ? 2 : 1;
      return this.partDone(0);
    }
    const body = chunks.length ? Buffer.concat(chunks, this.body.size) : undefined;
    this.body.chunks = undefined;
    this.call(this.other, this.shadow, body);
    if (this.legacyAgain && this.again) this.call(this.legacyAgain, this.again, body);
  }

  private call(target: MirrorTarget, capture: ResponseCapture, body: Buffer | undefined): void {
    const head = { method: this.req.method ?? 'GET', url: this.req.url ?? '/', headers: this.req.headers, socket: this.req.socket };
    const pools = this.mirror.pools;
    this.outgoing.push(mirrorCall(head, target, pools.urlOf(target.config), pools.agentFor(target.config), capture, body, () => this.partDone()));
  }

  private partDone(n = 1): void {
    this.pending -= n;
    if (this.pending > 0 || this.over) return;
    this.over = true;
    const pair: ShadowPair = {
      time: this.time,
      route: this.route,
      method: this.req.method ?? 'GET',
      path: this.req.url ?? '/',
      requestId: firstHeader(this.req.headers['x-request-id']) ?? randomUUID(),
      primary: this.primary.result(),
      shadow: this.shadow.result(),
    };
    if (this.again) pair.legacyAgain = this.again.result();
    const skip = pair.primary.skipped ?? pair.shadow.skipped ?? pair.legacyAgain?.skipped;
    this.mirror.finished(this, pair, skip);
  }
}

function firstHeader(v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? v[0] : v;
}
