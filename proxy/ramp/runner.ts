import { StranglerError } from '../../core/errors.js';
import type { Logger } from '../../core/logger.js';
import type { Guard } from '../guard/guard.js';
import type { StranglerProxy } from '../proxy-server.js';
import type { CompiledRoute } from '../route-table.js';
import type { RampState, StateStore } from '../state/contract.js';
import { checkRamp, nextRampAction, type RampHealth } from './plan.js';

export interface RampRequest {
  steps: number[];
  holdMs: number;
  requireReady: boolean;
  who: string;
}

/** Whether the readiness gate passes for a route or group (wired by whoever can read diffs and verify reports). */
export type ReadinessProbe = (target: string) => Promise<{ ok: boolean; reason: string }>;

/**
 * Ramps: started, paused, resumed and aborted through the admin API (any process), stored in the
 * state store, and stepped by the process holding the pilot lease (pilot.ts), so that neither a CLI
 * exit nor a proxy restart loses one. Each step is an audited dial change by `ramp`.
 */
export class RampRunner {
  readiness: ReadinessProbe | undefined;
  /** Why each running ramp waits, as this process last saw it (not stored: it changes every second). */
  readonly waiting = new Map<string, string>();

  constructor(
    private readonly proxy: StranglerProxy,
    private readonly store: StateStore,
    private readonly guard: Guard,
    private readonly logger?: Logger,
  ) {}

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
          ? { ...ramp, status: 'running', since: new Date().toISOString(), reason: undefined }
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
      const members = this.members(ramp.target);
      if (members.length === 0) continue; // its routes left the config; it waits for them
      let action = nextRampAction(ramp, Date.now(), this.health(members), undefined);
      // The gate reads diff records: asked only once everything else says "step".
      if (action.kind === 'step' && ramp.requireReady && ramp.step >= 0) {
        const ready = this.readiness ? await this.readiness(ramp.target) : { ok: false, reason: 'this proxy has no readiness probe wired' };
        action = nextRampAction(ramp, Date.now(), this.health(members), ready);
      }
      if (action.kind === 'wait') {
        this.waiting.set(ramp.target, action.reason);
        continue;
      }
      this.waiting.delete(ramp.target);
      const reason = `ramp step ${action.index + 1} of ${ramp.steps.length}: new ${action.value}%`;
      if (members.length === 1 && members[0]!.name === ramp.target) await this.proxy.setDial(ramp.target, { new: action.value }, 'ramp', reason);
      else await this.proxy.setGroupDial(ramp.target, { new: action.value }, 'ramp', reason);
      const next: RampState = { ...ramp, step: action.index, since: new Date().toISOString(), status: action.last ? 'done' : 'running', reason: undefined };
      await this.store.putRamp(ramp.target, next, ramp.revision);
      this.logger?.info({ target: ramp.target, step: action.index + 1, of: ramp.steps.length, new: action.value }, reason);
    }
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
