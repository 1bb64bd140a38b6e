import fsp from 'node:fs/promises';
import path from 'node:path';
import { StranglerError, describeCause } from '../../core/errors.js';
import { lockFile, watchFile, writeFileAtomically } from '../../core/shared-file.js';
import type { Dial, DialPatch } from '../dials.js';
import type { DialChange, MemberDefaults, StateHealth, StateSnapshot, StateStore } from './contract.js';
import { applyRollback, applyUpdate, applyUpdateMany, emptyDocument, isStateDocument, routeHistory, type StateDocument } from './history.js';
import { applyPutGuard } from './guard-memory.js';
import { applyPutRamp, type RampState } from './ramp-state.js';

const LOCK_WAIT_MS = 5000;

/**
 * The state store in one JSON file, shared by every proxy process that points at it. Writes are
 * atomic (a temp file fsynced, then renamed over) and serialised across processes by a lock
 * (core/shared-file.ts); other processes see a change through a watch on the folder (plus a slow stat
 * poll, because fs.watch may miss events on some filesystems).
 */
export class FileStateStore implements StateStore {
  private doc: StateDocument = emptyDocument();
  private readonly listeners = new Set<(s: StateSnapshot) => void>();
  private queue: Promise<unknown> = Promise.resolve();
  private unwatch: (() => void) | undefined;

  constructor(
    readonly file: string,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async load(): Promise<StateSnapshot> {
    this.doc = await this.read();
    this.startWatching();
    return this.snapshot();
  }

  update(route: string, defaults: Dial, patch: DialPatch, who: string, reason?: string): Promise<DialChange> {
    return this.mutate((doc) => applyUpdate(doc, route, defaults, patch, who, this.now(), reason));
  }

  async updateMany(members: readonly MemberDefaults[], patch: DialPatch, who: string, group: string, reason?: string): Promise<DialChange[]> {
    let changes: DialChange[] = [];
    await this.mutate((doc) => {
      const r = applyUpdateMany(doc, members, patch, who, group, this.now(), reason);
      changes = r.changes;
      return { doc: r.doc, change: r.changes[0]! };
    });
    return changes;
  }

  async putRamp(target: string, ramp: RampState | undefined, ifRevision: number | undefined): Promise<boolean> {
    let written = false;
    await this.mutate((doc) => {
      const next = applyPutRamp(doc, target, ramp, ifRevision);
      written = next !== undefined;
      return { doc: next ?? doc, change: undefined };
    });
    return written;
  }

  async putGuardMemory(route: string, healthy: readonly number[]): Promise<void> {
    await this.mutate((doc) => ({ doc: applyPutGuard(doc, route, healthy, this.now()) ?? doc, change: undefined }));
  }

  /**
   * The lease in its own small file beside the state file (so that renewals every second do not
   * rewrite the dial history), read and written under the same lock.
   */
  lease(name: string, holder: string, ttlMs: number): Promise<boolean> {
    const file = this.leaseFile(name);
    const run = this.queue.then(async () => {
      const release = await this.lock();
      try {
        const now = this.now().getTime();
        const held = await fsp.readFile(file, 'utf8').then((t) => JSON.parse(t) as { holder?: unknown; until?: unknown }, () => undefined);
        if (held !== undefined && held.holder !== holder && typeof held.until === 'number' && held.until > now) return false;
        // Not fsynced: a lease lost in a crash only lapses, and it is renewed every second.
        await writeFileAtomically(file, JSON.stringify({ holder, until: now + ttlMs }), { fsync: false });
        return true;
      } finally {
        await release();
      }
    });
    this.queue = run.catch(() => undefined);
    return run;
  }

  /** Removes the lease file when `holder` holds it: a stopped proxy leaves no lease behind. */
  releaseLease(name: string, holder: string): Promise<void> {
    const file = this.leaseFile(name);
    const run = this.queue.then(async () => {
      const release = await this.lock();
      try {
        const held = await fsp.readFile(file, 'utf8').then((t) => JSON.parse(t) as { holder?: unknown }, () => undefined);
        if (held?.holder === holder) await fsp.rm(file, { force: true });
      } finally {
        await release();
      }
    });
    this.queue = run.catch(() => undefined);
    return run;
  }

  private leaseFile(name: string): string {
    return `${this.file}.lease-${name.replace(/[^A-Za-z0-9_.-]/g, '_')}`;
  }

  rollback(route: string, defaults: Dial, who: string): Promise<DialChange> {
    return this.mutate((doc) => applyRollback(doc, route, defaults, who, this.now()));
  }

  async history(route: string, limit?: number): Promise<DialChange[]> {
    return routeHistory(await this.read(), route, limit);
  }

  subscribe(listener: (s: StateSnapshot) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  health(): StateHealth {
    return { store: 'file', reachable: true };
  }

  async close(): Promise<void> {
    this.listeners.clear();
    this.unwatch?.();
    this.unwatch = undefined;
    await this.queue.catch(() => undefined);
  }

  private snapshot(): StateSnapshot {
    return { version: this.doc.version, dials: this.doc.dials, ...(this.doc.ramps && { ramps: this.doc.ramps }), ...(this.doc.guard && { guard: this.doc.guard }) };
  }

  private publish(doc: StateDocument): void {
    if (doc.version === this.doc.version && doc === this.doc) return;
    this.doc = doc;
    const snap = this.snapshot();
    for (const l of this.listeners) l(snap);
  }

  private async read(): Promise<StateDocument> {
    let text: string;
    try {
      text = await fsp.readFile(this.file, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return emptyDocument();
      throw new StranglerError('STRANGLER_E_STATE_IO', `cannot read the state file ${this.file}: ${describeCause(err)}`, {
        cause: err,
        hint: 'check proxy.state.path and its permissions',
      });
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (err) {
      parsed = err;
    }
    if (!isStateDocument(parsed)) {
      throw new StranglerError('STRANGLER_E_STATE_CORRUPT', `the state file ${this.file} is not a strangler state document`, {
        hint: 'restore it from a backup, or move it away to start from the config dials',
      });
    }
    return parsed;
  }

  /** One change at a time in this process, under the lock file across processes. */
  private mutate<C>(change: (doc: StateDocument) => { doc: StateDocument; change: C }): Promise<C> {
    const run = this.queue.then(async () => {
      const release = await this.lock();
      try {
        const latest = await this.read();
        const result = change(latest);
        if (result.doc !== latest) {
          await this.write(result.doc);
          this.publish(result.doc);
        }
        return result.change;
      } finally {
        await release();
      }
    });
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async write(doc: StateDocument): Promise<void> {
    try {
      await fsp.mkdir(path.dirname(this.file), { recursive: true });
      await writeFileAtomically(this.file, JSON.stringify(doc, null, 1));
    } catch (err) {
      throw new StranglerError('STRANGLER_E_STATE_IO', `cannot write the state file ${this.file}: ${describeCause(err)}`, {
        cause: err,
        hint: 'check that the folder of proxy.state.path exists and is writable',
      });
    }
  }

  private async lock(): Promise<() => Promise<void>> {
    try {
      return await lockFile(this.file, { waitMs: LOCK_WAIT_MS });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ELOCKED') {
        throw new StranglerError('STRANGLER_E_STATE_IO', `the state file ${this.file} stayed locked for ${LOCK_WAIT_MS} ms`, {
          hint: `another process holds ${this.file}.lock; remove it if no strangler process is running`,
        });
      }
      throw new StranglerError('STRANGLER_E_STATE_IO', `cannot lock the state file ${this.file}: ${describeCause(err)}`, { cause: err });
    }
  }

  private startWatching(): void {
    // 15 ms: the events of one replace come together; 1 s: the stat poll.
    this.unwatch ??= watchFile(this.file, () => this.reread(), { debounceMs: 15, pollMs: 1000 });
  }

  private reread(): void {
    this.read().then(
      (doc) => {
        // Only forward: a read that began before one of this process's own writes can resolve
        // after it, with the older document (seen as subscribers getting versions 1, 2, 1).
        if (doc.version > this.doc.version) this.publish(doc);
      },
      () => undefined, // a half-visible or broken file: the next event or poll tries again
    );
  }
}
