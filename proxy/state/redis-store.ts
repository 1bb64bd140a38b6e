import { Redis } from 'ioredis';
import { StranglerError, describeCause } from '../../core/errors.js';
import type { Dial, DialPatch } from '../dials.js';
import type { DialChange, MemberDefaults, StateHealth, StateSnapshot, StateStore } from './contract.js';
import { MAX_HISTORY, applyRollback, applyUpdate, applyUpdateMany, type StateDocument } from './history.js';
import { applyPutGuard } from './guard-memory.js';
import { applyPutRamp, type RampState } from './ramp-state.js';

export interface RedisStateStoreOptions {
  /** redis://[user:password@]host:port[/db] or rediss://… */
  url: string;
  /** Prefix of every key and of the channel, so several proxies (or tests) can share one Redis. */
  key: string;
  /** How long load() waits for a first connection before it gives up. */
  connectTimeoutMs?: number;
  /** Every so often, a connected store compares its version with Redis's (a lost message is found then at worst). */
  resyncMs?: number;
  /** Told when Redis becomes unreachable or reachable again (to log it). */
  onHealth?: (health: StateHealth) => void;
  now?: () => Date;
}

/** WATCH retries before a change gives up: with one change in flight per process, each round one process wins. */
const MAX_ATTEMPTS = 200;

// Takes or renews the lease KEYS[1] for ARGV[1] for ARGV[2] ms; 1 when this owner holds it after the call.
const LEASE_SCRIPT = `
local v = redis.call('GET', KEYS[1])
if v == false then redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2]) return 1 end
if v == ARGV[1] then redis.call('PEXPIRE', KEYS[1], ARGV[2]) return 1 end
return 0`;

// Deletes the lease KEYS[1] when ARGV[1] holds it.
const RELEASE_SCRIPT = `
if redis.call('GET', KEYS[1]) == ARGV[1] then redis.call('DEL', KEYS[1]) end
return 0`;

function isSnapshot(v: unknown): v is StateSnapshot {
  const s = v as StateSnapshot;
  return s !== null && typeof s === 'object' && Number.isInteger(s.version) && s.dials !== null && typeof s.dials === 'object';
}

/**
 * The state store in Redis, for several proxy replicas on several hosts. Layout under the prefix K:
 * `K:state` holds { version, dials } (JSON), `K:history:ROUTE` a list of the route's changes (oldest
 * first, capped), `K:lease:NAME` a lease holder; every change is published on the channel `K:changes`
 * with the new snapshot. A change is one WATCH/MULTI transaction on `K:state`: read, apply the pure
 * history functions, write, publish; a concurrent change by another replica makes EXEC fail and the
 * change is tried again on the newer state, so versions and histories stay linear across replicas.
 *
 * The proxy reads dials from the snapshot this store hands its subscribers, never from Redis: when
 * Redis is unreachable the last known dials keep serving (fail static), health() says so, and a
 * change is refused with STRANGLER_E_STATE_UNAVAILABLE rather than applied to one replica only. On
 * every reconnect (and every resyncMs) the version in Redis is read again, so a message published
 * while this replica was cut off is never lost.
 */
export class RedisStateStore implements StateStore {
  private snap: StateSnapshot = { version: 0, dials: {} };
  private readonly listeners = new Set<(s: StateSnapshot) => void>();
  private readonly cmd: Redis;
  private readonly sub: Redis;
  private queue: Promise<unknown> = Promise.resolve();
  private resyncTimer: NodeJS.Timeout | undefined;
  private downSince: string | undefined;
  private closed = false;
  private loaded = false;
  private readonly keys: { state: string; channel: string; history: (route: string) => string; lease: (name: string) => string };

  constructor(private readonly options: RedisStateStoreOptions) {
    const k = options.key;
    this.keys = { state: `${k}:state`, channel: `${k}:changes`, history: (r) => `${k}:history:${r}`, lease: (n) => `${k}:lease:${n}` };
    const common = {
      lazyConnect: true,
      connectTimeout: 2000,
      // Reconnect forever, at most a second apart: a replica resyncs soon after Redis is back.
      retryStrategy: (times: number) => Math.min(100 * times, 1000),
    };
    // Commands fail at once while Redis is away instead of waiting in a queue: an admin change is
    // refused (503) rather than applied minutes later, and nothing in flight is silently resent.
    this.cmd = new Redis(options.url, { ...common, enableOfflineQueue: false, maxRetriesPerRequest: 0, autoResendUnfulfilledCommands: false, commandTimeout: 3000 });
    this.sub = new Redis(options.url, { ...common, maxRetriesPerRequest: null });
    for (const c of [this.cmd, this.sub]) {
      c.on('error', () => undefined); // reported through health(); ioredis logs unhandled 'error' events otherwise
      c.on('close', () => this.healthChanged());
      c.on('ready', () => {
        this.healthChanged();
        this.resync();
      });
    }
    this.sub.on('message', (_channel: string, message: string) => {
      let parsed: unknown;
      try {
        parsed = JSON.parse(message);
      } catch {
        return;
      }
      if (isSnapshot(parsed)) this.publish(parsed);
    });
  }

  async load(): Promise<StateSnapshot> {
    const timeout = this.options.connectTimeoutMs ?? 10_000;
    try {
      await Promise.race([
        Promise.all([this.waitReady(this.cmd), this.waitReady(this.sub)]),
        new Promise((_, reject) => setTimeout(() => reject(new Error(`no connection within ${timeout} ms`)), timeout).unref()),
      ]);
      if (!this.loaded) await this.sub.subscribe(this.keys.channel);
      const snap = await this.readState();
      if (snap) this.publish(snap);
    } catch (err) {
      if (err instanceof StranglerError) throw err; // a state key that is not ours
      throw this.unavailable(`cannot reach the Redis state store at ${this.where()}: ${describeCause(err)}`, err);
    }
    if (!this.loaded) {
      this.loaded = true;
      this.resyncTimer = setInterval(() => this.resync(), this.options.resyncMs ?? 5000);
      this.resyncTimer.unref();
    }
    return this.snap;
  }

  async update(route: string, defaults: Dial, patch: DialPatch, who: string, reason?: string): Promise<DialChange> {
    const r = await this.mutate(`change ${route}`, [route], (doc) => {
      const u = applyUpdate(doc, route, defaults, patch, who, this.now(), reason);
      return { doc: u.doc, changes: [u.change] };
    });
    return r.changes[0]!;
  }

  async updateMany(members: readonly MemberDefaults[], patch: DialPatch, who: string, group: string, reason?: string): Promise<DialChange[]> {
    const r = await this.mutate(`change group ${group}`, [], (doc) => applyUpdateMany(doc, members, patch, who, group, this.now(), reason));
    return r.changes;
  }

  async rollback(route: string, defaults: Dial, who: string): Promise<DialChange> {
    const r = await this.mutate(`roll back ${route}`, [route], (doc) => {
      const u = applyRollback(doc, route, defaults, who, this.now());
      return { doc: u.doc, changes: [u.change] };
    });
    return r.changes[0]!;
  }

  async putRamp(target: string, ramp: RampState | undefined, ifRevision: number | undefined): Promise<boolean> {
    const r = await this.mutate(`write the ramp of ${target}`, [], (doc) => {
      const next = applyPutRamp(doc, target, ramp, ifRevision);
      return { doc: next ?? doc, changes: [] };
    });
    return r.written;
  }

  async putGuardMemory(route: string, healthy: readonly number[]): Promise<void> {
    await this.mutate(`write the guard's memory of ${route}`, [], (doc) => ({ doc: applyPutGuard(doc, route, healthy, this.now()) ?? doc, changes: [] }));
  }

  async history(route: string, limit = 100): Promise<DialChange[]> {
    this.requireReachable('read the history');
    const lines = await this.cmd.lrange(this.keys.history(route), -limit, -1).catch((err: unknown) => {
      throw this.unavailable(`cannot read the history of ${route} from Redis: ${describeCause(err)}`, err);
    });
    return lines.map((l) => JSON.parse(l) as DialChange).reverse();
  }

  subscribe(listener: (s: StateSnapshot) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** SET NX PX to take it, PEXPIRE by its holder to renew it, in one script so the two cannot interleave. */
  async lease(name: string, holder: string, ttlMs: number): Promise<boolean> {
    if (!this.reachable()) return false; // cut off: another replica may hold it by now
    try {
      return (await this.cmd.eval(LEASE_SCRIPT, 1, this.keys.lease(name), holder, String(Math.max(1, Math.round(ttlMs))))) === 1;
    } catch {
      return false;
    }
  }

  async releaseLease(name: string, holder: string): Promise<void> {
    if (!this.reachable()) return; // it lapses by itself
    await this.cmd.eval(RELEASE_SCRIPT, 1, this.keys.lease(name), holder).catch(() => undefined);
  }

  health(): StateHealth {
    const reachable = this.reachable();
    return { store: 'redis', reachable, ...(reachable || !this.downSince ? {} : { since: this.downSince }) };
  }

  async close(): Promise<void> {
    this.closed = true;
    this.listeners.clear();
    clearInterval(this.resyncTimer);
    await this.queue.catch(() => undefined);
    for (const c of [this.sub, this.cmd]) {
      if (c.status === 'ready') await c.quit().catch(() => c.disconnect());
      else c.disconnect();
    }
  }

  // ---- inside ----------------------------------------------------------------------------

  private now(): Date {
    return this.options.now?.() ?? new Date();
  }

  private where(): string {
    const u = new URL(this.options.url);
    return `${u.protocol}//${u.host}`; // never the password
  }

  private waitReady(c: Redis): Promise<void> {
    if (c.status === 'ready') return Promise.resolve();
    if (c.status === 'wait') c.connect().catch(() => undefined); // retryStrategy keeps trying
    return new Promise((resolve) => c.once('ready', () => resolve()));
  }

  private reachable(): boolean {
    return this.cmd.status === 'ready' && this.sub.status === 'ready';
  }

  private healthChanged(): void {
    if (this.closed || !this.loaded) return; // the first connection is load()'s to report
    const reachable = this.reachable();
    if (reachable === (this.downSince === undefined)) return;
    this.downSince = reachable ? undefined : this.now().toISOString();
    this.options.onHealth?.(this.health());
  }

  private unavailable(message: string, cause?: unknown): StranglerError {
    return new StranglerError('STRANGLER_E_STATE_UNAVAILABLE', message, {
      ...(cause === undefined ? {} : { cause }),
      hint: 'the proxies keep serving their last known dials; change them once Redis is reachable again (see /healthz)',
      details: { store: 'redis' },
    });
  }

  private requireReachable(what: string): void {
    if (!this.reachable()) throw this.unavailable(`the Redis state store at ${this.where()} is unreachable${this.downSince ? ` since ${this.downSince}` : ''}: cannot ${what}`);
  }

  private publish(s: StateSnapshot): void {
    if (s.version <= this.snap.version) return; // only forward: a late message never undoes a newer state
    this.snap = s;
    for (const l of this.listeners) l(s);
  }

  private async readState(): Promise<StateSnapshot | undefined> {
    const text = await this.cmd.get(this.keys.state);
    if (text === null) return undefined;
    const parsed: unknown = JSON.parse(text);
    if (!isSnapshot(parsed)) {
      throw new StranglerError('STRANGLER_E_STATE_CORRUPT', `the Redis key ${this.keys.state} is not a strangler state document`, {
        hint: `delete it (redis-cli DEL ${this.keys.state}) to start again from the config dials`,
      });
    }
    return parsed;
  }

  /**
   * Reads the version in Redis and applies it when newer. When the key is gone (Redis restarted
   * without its data) a replica puts its last known dials back (SET NX: one replica wins), so that
   * the fleet does not fall back to the config dials behind the operators' backs.
   */
  private resync(): void {
    if (this.closed || !this.reachable()) return;
    (async () => {
      let remote = await this.readState();
      if (!remote && this.snap.version > 0) {
        await this.cmd.set(this.keys.state, JSON.stringify(this.snap), 'NX');
        remote = await this.readState();
      }
      if (remote) this.publish(remote);
    })().catch(() => undefined); // unreachable again: the next 'ready' tries again
  }

  /**
   * One change at a time in this process; a WATCH/MULTI transaction in Redis across processes.
   * `routes` are those whose history the change reads (a rollback looks for what to undo); every
   * change's history lands in its route's list. An apply that returns the document it was given
   * writes nothing (a ramp whose revision moved on).
   */
  private mutate(what: string, routes: readonly string[], apply: (doc: StateDocument) => { doc: StateDocument; changes: DialChange[] }): Promise<{ written: boolean; changes: DialChange[] }> {
    const run = this.queue.then(async () => {
      this.requireReachable(what);
      for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
        try {
          await this.cmd.watch(this.keys.state);
          const [current, ...lines] = await Promise.all([this.readState(), ...routes.map((r) => this.cmd.lrange(this.keys.history(r), 0, -1))]);
          const history = lines.flat().map((l) => JSON.parse(l) as DialChange);
          const doc: StateDocument = { ...(current ?? this.snap), history };
          let result: { doc: StateDocument; changes: DialChange[] };
          try {
            result = apply(doc);
          } catch (err) {
            await this.cmd.unwatch();
            throw err;
          }
          if (result.doc === doc) {
            await this.cmd.unwatch();
            return { written: false, changes: [] };
          }
          const { history: _, ...rest } = result.doc;
          const snapshot: StateSnapshot = rest;
          const tx = this.cmd.multi().set(this.keys.state, JSON.stringify(snapshot));
          for (const c of result.changes) tx.rpush(this.keys.history(c.route), JSON.stringify(c)).ltrim(this.keys.history(c.route), -MAX_HISTORY, -1);
          if ((await tx.publish(this.keys.channel, JSON.stringify(snapshot)).exec()) !== null) {
            this.publish(snapshot);
            return { written: true, changes: result.changes };
          }
        } catch (err) {
          if (err instanceof StranglerError) throw err;
          throw this.unavailable(`cannot ${what}: Redis did not answer (${describeCause(err)}); the history shows whether it was applied`, err);
        }
        // Another replica changed the state between WATCH and EXEC: try again on the newer state.
        await new Promise((r) => setTimeout(r, Math.random() * 5));
      }
      throw this.unavailable(`cannot ${what}: lost ${MAX_ATTEMPTS} races with other replicas in a row`);
    });
    this.queue = run.catch(() => undefined);
    return run;
  }
}
