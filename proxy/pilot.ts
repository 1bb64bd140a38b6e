import os from 'node:os';
import { randomBytes } from 'node:crypto';
import { Counter } from 'prom-client';
import { describeCause } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import { NO_SOURCES, type ConsoleSources } from './console/sources.js';
import { Guard, type Breach } from './guard/guard.js';
import type { StranglerProxy } from './proxy-server.js';
import { RampRunner } from './ramp/runner.js';
import type { DialChange, StateStore } from './state/contract.js';

/** The lease that makes one proxy process (of several sharing a state store) the one that acts. */
export const PILOT_LEASE = 'pilot';

export interface PilotOptions {
  proxy: StranglerProxy;
  store: StateStore;
  logger?: Logger;
  /** What the readiness gate reads besides the proxy (a ramp with requireReady asks it), as the admin API does. */
  sources?: ConsoleSources;
  /** The window clock's period (1 s; tests of the clock itself may shorten it). */
  tickMs?: number;
}

/**
 * What the proxy does by itself, once per second: the guard's windows move on and are judged
 * (every process, since each records its own traffic), and the process holding the pilot lease acts
 * on what it sees: rolls a breaching route back and carries ramps on. Every action is an audited
 * change in the state store, by `guard` or `ramp`, with its reason.
 */
export class Pilot {
  readonly guard: Guard;
  readonly ramps: RampRunner;
  private readonly rollbacks: Counter<'route'>;
  private readonly holder = `${os.hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`;
  private readonly tickMs: number;
  private timer: NodeJS.Timeout | undefined;
  private acting: Promise<void> | undefined;
  private leader = false;

  constructor(private readonly options: PilotOptions) {
    this.tickMs = options.tickMs ?? 1000;
    this.guard = new Guard(options.proxy.metrics);
    this.ramps = new RampRunner(options.proxy, options.store, this.guard, options.sources ?? NO_SOURCES, options.logger);
    const registry = options.proxy.metrics.registry;
    this.rollbacks =
      (registry.getSingleMetric('strangler_guard_rollbacks_total') as Counter<'route'> | undefined) ??
      new Counter({ name: 'strangler_guard_rollbacks_total', help: 'Automatic rollbacks by the guard, per route', labelNames: ['route'], registers: [registry] });
  }

  start(): void {
    this.timer ??= setInterval(() => this.tick(), this.tickMs);
    this.timer.unref();
  }

  /** Whether this process held the pilot lease at its last tick. */
  get isLeader(): boolean {
    return this.leader;
  }

  /** One tick of the window clock. The windows move on even while the previous tick's actions still run. */
  tick(): void {
    const routes = this.options.proxy.compiledRoutes();
    const breaches = this.guard.tick(routes, this.options.proxy.guardMemory());
    if (this.acting !== undefined) return; // a slow store: a breach still there is seen again next tick
    // Nothing to guard and no ramp to carry on: no lease to hold (and no store traffic for it).
    if (!routes.some((r) => r.config.guard !== undefined) && !this.ramps.list().some((r) => r.status === 'running')) {
      this.leader = false;
      return;
    }
    this.acting = this.act(breaches)
      .catch((err) => this.options.logger?.error({ err: describeCause(err) }, 'the pilot could not act'))
      .finally(() => (this.acting = undefined));
  }

  private async act(breaches: Breach[]): Promise<void> {
    this.leader = await this.options.store.lease(PILOT_LEASE, this.holder, this.tickMs * 3).catch((err) => {
      this.options.logger?.warn({ err: describeCause(err) }, 'the pilot lease cannot be read: not acting this tick');
      return false;
    });
    if (!this.leader) return;
    const done = new Set<string>();
    for (const b of breaches) {
      const target = b.route.config.group ?? b.route.name;
      if (done.has(target)) continue;
      done.add(target);
      await this.rollBack(b, target);
    }
    await this.ramps.step(done);
    // What the guard found healthy outlives this process: a restarted proxy rolls back to the same dial.
    for (const m of this.guard.toRemember(this.options.proxy.guardMemory())) await this.options.store.putGuardMemory(m.route, m.healthy);
  }

  private async rollBack(b: Breach, target: string): Promise<void> {
    const { proxy, logger } = this.options;
    const from = b.route.dial.new;
    const when = b.breachSeconds === undefined ? '' : `; ${b.breachSeconds} s after the breach began (window clock)`;
    const reason = `guard on ${b.route.name}: ${b.reason}; new ${from}% → ${b.target}%${when}`;
    const changes: DialChange[] = b.route.config.group
      ? await proxy.setGroupDial(target, { new: b.target }, 'guard', reason)
      : [await proxy.setDial(target, { new: b.target }, 'guard', reason)];
    this.rollbacks.inc({ route: b.route.name });
    logger?.warn({ route: b.route.name, group: b.route.config.group, from, to: b.target, breachSeconds: b.breachSeconds, version: changes[0]?.version }, reason);
    await this.ramps.halt(target, reason);
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await this.acting;
    await this.ramps.settled();
    // A graceful stop hands the lease on at once (a restarted proxy acts from its first tick).
    if (this.leader) {
      this.leader = false;
      await this.options.store.releaseLease(PILOT_LEASE, this.holder).catch((err) => this.options.logger?.warn({ err: describeCause(err) }, 'the pilot lease could not be released: it lapses by itself'));
    }
  }
}
