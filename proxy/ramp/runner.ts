import { StranglerError } from '../../core/errors.js';
import type { Logger } from '../../core/logger.js';
import type { Guard } from '../guard/guard.js';
import type { StranglerProxy } from '../proxy-server.js';
import type { CompiledRoute } from '../route-table.js';
import type { RampState, StateStore } from '../state/contract.js';
import type { ConsoleSources } from '../console/sources.js';
import { proxyReadiness } from '../readiness/proxy-readiness.js';
import { GateAsks } from './gate-asks.js';
import { checkRamp, gateVerdict, nextRampAction, type RampAction, type RampHealth } from './plan.js';

export interface RampRequest {
  steps: number[];
  holdMs: number;
  requireReady: boolean;
  who: string;
}

/**
 * Ramps: started, paused, resumed and aborted through the admin API (any process), stored in the
 * state store, and stepped by the process holding the pilot lease (pilot.ts), so that neither a CLI
 * exit nor a proxy restart loses one. Each step is an audited dial change by `ramp`. With
 * requireReady, a step waits for the verdict GET /routes/:name/readiness gives on each of the
 * ramp's routes (proxyReadiness: the diff records, the live latency, the checkpoint store).
 */
export class RampRunner {
  /** Why each running ramp waits, as this process last saw it, figures and all (changes every second). */
  readonly waiting = new Map<string, string>();
  private readonly gate: GateAsks;
  /**
   * The revision this process last wrote per ramp: until the snapshot shows it (a store that tells
   * its subscribers later than it answers), the ramp is not acted on, lest a step be taken twice.
   */
  private readonly wrote = new Map<string, { revision: number; at: number }>();

  constructor(
    private readonly proxy: StranglerProxy,
    private readonly store: StateStore,
    private readonly guard: Guard,
    sources: ConsoleSources,
    private readonly logger?: Logger,
  ) {
    this.gate = new GateAsks(async (target) => gateVerdict((await proxyReadiness(proxy, sources, { routes: this.members(target).map((m) => m.name) })).routes));
  }

  /** The routes a ramp turns: the route of that name, or every member of that group. */
  members(target: string): CompiledRoute[] {
    const route = this.proxy.compiledRoutes().find((r) => r.name === target);
    return route ? [route] : this.proxy.groupMembers(target);
  }

  list(): RampState[] {
    return Object.values(this.proxy.ramps());
  }

  async start(target: string, req: RampRequest): Promise<RampState> {
    checkRamp(req.steps, req.holdMs);
    const members = this.members(target);
    if (members.length === 0) throw new StranglerError('STRANGLER_E_ROUTE_UNKNOWN', `no route or route group named "${target}"`, { hint: 'strangler routes list shows the names', details: { route: target } });
    const unguarded = members.filter((m) => m.config.guard === undefined).map((m) => m.name);
    if (unguarded.length > 0) {
      throw new StranglerError('STRANGLER_E_RAMP_INVALID', `a ramp steps only on a healthy guard window, and ${unguarded.join(', ')} has no guard`, {
        hint: 'add routes[].guard to the route in the config (e.g. guard: { maxErrorRate: 5, maxP95Ms: 1000 }) and reload',
      });
    }
    const existing = this.proxy.ramps()[target];
    if (existing !== undefined && (existing.status === 'running' || existing.status === 'paused')) {
      throw new StranglerError('STRANGLER_E_RAMP_RUNNING', `${target} already has a ${existing.status} ramp (at step ${existing.step + 1} of ${existing.steps.length})`, {
        hint: `abort it first: strangler routes ramp ${target} --abort`,
      });
    }
    const ramp: RampState = { target, steps: [...req.steps], holdMs: req.holdMs, requireReady: req.requireReady, step: -1, since: new Date().toISOString(), status: 'running', who: req.who, revision: 0 };
    await this.write(target, ramp, existing?.revision);
    this.logger?.info({ target, steps: ramp.steps, holdMs: ramp.holdMs, who: req.who }, 'ramp started');
    return this.proxy.ramps()[target] ?? ramp;
  }

  async control(target: string, action: 'pause' | 'resume' | 'abort', who: string): Promise<RampState> {
    const ramp = this.proxy.ramps()[target];
    const from = action === 'resume' ? 'paused' : undefined;
    const live = ramp !== undefined && (ramp.status === 'running' || ramp.status === 'paused');
    if (ramp === undefined || !live || (from !== undefined && ramp.status !== from) || (action === 'pause' && ramp.status !== 'running')) {
      throw new StranglerError('STRANGLER_E_RAMP_NONE', ramp === undefined ? `${target} has no ramp` : `${target}'s ramp is ${ramp.status}: it cannot ${action}`, {
        hint: `see it with strangler routes ramp ${target} --status`,
      });
    }
    const next: RampState =
      action === 'pause'
        ? { ...ramp, status: 'paused', reason: `paused by ${who}` }
        : action === 'resume'
          ? { ...ramp, status: 'running', since: new Date().toISOString(), reason: undefined, held: undefined }
          : { ...ramp, status: 'aborted', reason: `aborted by ${who}` };
    await this.write(target, next, ramp.revision);
    this.logger?.info({ target, who, step: ramp.step }, `ramp ${action}d`);
    return this.proxy.ramps()[target] ?? next;
  }

  /** Stops a live ramp for good after the guard rolled its routes back. */
  async halt(target: string, reason: string): Promise<void> {
    const ramp = this.proxy.ramps()[target];
    if (ramp === undefined || (ramp.status !== 'running' && ramp.status !== 'paused')) return;
    if (await this.store.putRamp(target, { ...ramp, status: 'halted', reason }, ramp.revision)) this.logger?.warn({ target }, `ramp halted: ${reason}`);
  }

  /** Carries every running ramp on by at most one step (the pilot lease holder, once per tick). */
  async step(skip: ReadonlySet<string>): Promise<void> {
    for (const ramp of this.list()) {
      if (ramp.status !== 'running' || skip.has(ramp.target)) continue;
      const now = Date.now();
      if (this.behind(ramp, now)) continue;
      const members = this.members(ramp.target);
      if (members.length === 0) continue; // its routes left the config; it waits for them
      const health = this.health(members);
      let action = nextRampAction(ramp, now, health, undefined);
      // The gate is asked only once everything else says "step" (in the background: gate-asks.ts).
      if (action.kind === 'step' && ramp.requireReady && ramp.step >= 0) {
        const ready = this.gate.verdict(ramp.target, now);
        action = ready === undefined ? { kind: 'wait', reason: 'waiting for the readiness gate: asking it' } : nextRampAction(ramp, now, health, ready);
      }
      if (action.kind === 'wait') {
        await this.wait(ramp, action);
        continue;
      }
      this.waiting.delete(ramp.target);
      this.gate.forget(ramp.target, now);
      const reason = `ramp step ${action.index + 1} of ${ramp.steps.length}: new ${action.value}%`;
      if (members.length === 1 && members[0]!.name === ramp.target) await this.proxy.setDial(ramp.target, { new: action.value }, 'ramp', reason);
      else await this.proxy.setGroupDial(ramp.target, { new: action.value }, 'ramp', reason);
      const next: RampState = { ...ramp, step: action.index, since: new Date().toISOString(), status: action.last ? 'done' : 'running', reason: undefined, held: undefined };
      await this.putOwn(ramp, next, now);
      this.logger?.info({ target: ramp.target, step: action.index + 1, of: ramp.steps.length, new: action.value }, reason);
    }
  }

  /**
   * A waiting ramp: why, figures and all, for GET /ramps; and, when what holds it changed (the guard
   * window, or which of the gate's criteria fail), the reason stored in the ramp and logged.
   */
  private async wait(ramp: RampState, action: Extract<RampAction, { kind: 'wait' }>): Promise<void> {
    this.waiting.set(ramp.target, action.reason);
    if (action.held === undefined || ramp.held === action.held) return;
    const reason = `step ${ramp.step + 2} of ${ramp.steps.length} (new ${ramp.steps[ramp.step + 1]}%): ${action.reason}`;
    if (await this.putOwn(ramp, { ...ramp, reason, held: action.held }, Date.now())) this.logger?.info({ target: ramp.target, held: action.held }, reason);
  }

  /** Writes the ramp's next state over `ramp` and, when it took, remembers the revision (see behind()). */
  private async putOwn(ramp: RampState, next: RampState, now: number): Promise<boolean> {
    const took = await this.store.putRamp(ramp.target, next, ramp.revision);
    if (took) this.wrote.set(ramp.target, { revision: ramp.revision + 1, at: now });
    return took;
  }

  /** Whether the snapshot has yet to show this process's last write of the ramp (given up on after 10 s). */
  private behind(ramp: RampState, now: number): boolean {
    const w = this.wrote.get(ramp.target);
    if (w !== undefined && ramp.revision < w.revision && now - w.at < 10_000) return true;
    this.wrote.delete(ramp.target);
    return false;
  }

  /** Every gate ask in flight, settled (the pilot's stop). */
  settled(): Promise<void> {
    return this.gate.settled();
  }

  private health(members: readonly CompiledRoute[]): RampHealth {
    for (const m of members) {
      const v = this.guard.verdict(m.name);
      if (v === undefined) return { state: 'unguarded', reason: `${m.name} has no guard window yet` };
      if (v.state !== 'healthy') return { state: v.state, reason: `${m.name}: ${v.reason}` };
    }
    return { state: 'healthy' };
  }

  private async write(target: string, ramp: RampState, ifRevision: number | undefined): Promise<void> {
    if (!(await this.store.putRamp(target, ramp, ifRevision))) {
      throw new StranglerError('STRANGLER_E_RAMP_RUNNING', `${target}'s ramp changed while this change was made`, { hint: 'look at it again and retry' });
    }
  }
}
