import { Command, InvalidArgumentError, Option } from 'commander';
import { parseDurationMs } from '../config/duration.js';
import { StranglerError } from '../core/errors.js';
import type { AdminClient, RampView } from '../proxy/admin-client.js';
import type { RampState } from '../proxy/state/contract.js';
import type { CliIo } from './io.js';

function stepsArg(value: string): number[] {
  const steps = value.split(',').map((s) => s.trim());
  if (steps.some((s) => !/^\d+(\.\d+)?$/.test(s))) throw new InvalidArgumentError(`expected percentages separated by commas (1,5,25,50,100), got "${value}"`);
  return steps.map(Number);
}

function holdArg(value: string): string {
  if (parseDurationMs(value) === undefined) throw new InvalidArgumentError(`expected a duration such as 30s, 10m or 1h, got "${value}"`);
  return value;
}

export function describeRamp(r: RampState | RampView): string {
  const at = r.step < 0 ? 'not started' : `at step ${r.step + 1} of ${r.steps.length} (${r.steps[r.step]}%)`;
  // The stored reason says what held the ramp when that changed; `waiting` is the leader's word now, figures and all.
  const waiting = 'waiting' in r && r.waiting && !r.reason?.endsWith(r.waiting) ? `; ${r.waiting}` : '';
  return `${r.target}: ramp ${r.status}, ${at}; steps ${r.steps.join(',')}%, hold ${Math.round(r.holdMs / 1000)} s${r.requireReady ? ', requires the readiness gate' : ''}${r.reason ? `; ${r.reason}` : ''}${waiting}\n`;
}

interface RampFlags {
  steps?: number[];
  hold?: string;
  requireReady?: boolean;
  pause?: boolean;
  resume?: boolean;
  abort?: boolean;
  status?: boolean;
  json?: boolean;
}

/** `routes ramp NAME`: start, pause, resume, abort or show a ramp (carried out by the proxy). */
export function rampCommand(io: CliIo, client: (opts: object) => AdminClient, who: () => string, withAdmin: (c: Command) => Command): Command {
  return withAdmin(new Command('ramp').description('raise a route (or group) step by step, each step after --hold with a healthy guard window: routes ramp users.get --steps 1,5,25,50,100 --hold 10m'))
    .argument('<route>', 'route name, or route group name')
    .option('--steps <list>', 'the new % at each step, rising', stepsArg)
    .option('--hold <duration>', 'how long each step holds before the next (30s, 10m, 1h)', holdArg)
    .option('--require-ready', "step only while the readiness gate passes as well: the proxy's own verdict (GET /routes/NAME/readiness: responses, latency with its live traffic, errors, data)")
    .addOption(new Option('--pause', 'pause the ramp').conflicts(['resume', 'abort', 'status', 'steps']))
    .addOption(new Option('--resume', 'resume a paused ramp (its hold starts again)').conflicts(['abort', 'status', 'steps']))
    .addOption(new Option('--abort', 'stop the ramp; the dial stays where it is').conflicts(['status', 'steps']))
    .addOption(new Option('--status', 'show the ramp').conflicts(['steps']))
    .action(async (name: string, opts: RampFlags) => {
      const admin = client(opts);
      const print = (r: RampState | RampView): void => void io.stdout.write(opts.json ? JSON.stringify(r, null, 2) + '\n' : describeRamp(r));
      const action = opts.pause ? 'pause' : opts.resume ? 'resume' : opts.abort ? 'abort' : undefined;
      if (action) return print(await admin.controlRamp(name, action, who()));
      if (opts.status || opts.steps === undefined) {
        if (opts.hold !== undefined) throw new StranglerError('STRANGLER_E_USAGE', 'routes ramp --hold needs --steps', { hint: 'e.g. strangler routes ramp users.get --steps 1,5,25,50,100 --hold 10m' });
        const ramp = (await admin.ramps()).ramps.find((r) => r.target === name);
        if (ramp === undefined) throw new StranglerError('STRANGLER_E_RAMP_NONE', `${name} has no ramp`, { hint: `start one: strangler routes ramp ${name} --steps 1,5,25,50,100 --hold 10m` });
        return print(ramp);
      }
      if (opts.hold === undefined) throw new StranglerError('STRANGLER_E_USAGE', 'routes ramp --steps needs --hold', { hint: 'e.g. strangler routes ramp users.get --steps 1,5,25,50,100 --hold 10m' });
      print(await admin.startRamp(name, { steps: opts.steps, hold: opts.hold, requireReady: opts.requireReady === true }, who()));
    });
}
