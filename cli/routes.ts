import os from 'node:os';
import { Command, InvalidArgumentError } from 'commander';
import { loadConfig, requireSection } from '../config/load.js';
import { StranglerError } from '../core/errors.js';
import { AdminClient, describeDial } from '../proxy/admin-client.js';
import type { Dial } from '../proxy/dials.js';
import type { DialChange } from '../proxy/state/contract.js';
import { dialPercentArg, onOffArg } from './args.js';
import type { CliIo } from './io.js';
import { rampCommand } from './routes-ramp.js';

interface AdminOptions {
  admin?: string;
  config?: string;
  json?: boolean;
}

/** --admin URL, else the config's admin.listen, else STRANGLER_ADMIN_URL, else the default. */
export function client(opts: AdminOptions, io: CliIo): AdminClient {
  const token = io.env.STRANGLER_ADMIN_TOKEN;
  if (!token) {
    throw new StranglerError('STRANGLER_E_ADMIN_TOKEN_MISSING', 'no admin token: STRANGLER_ADMIN_TOKEN is not set', {
      hint: 'export STRANGLER_ADMIN_TOKEN=… (the value of proxy.admin.token)',
    });
  }
  let base = opts.admin ?? io.env.STRANGLER_ADMIN_URL;
  if (!base && opts.config) {
    const { host, port } = requireSection(loadConfig(opts.config, io.env), 'proxy').admin.listen;
    const h = host === '0.0.0.0' || host === '' ? '127.0.0.1' : host === '::' ? '[::1]' : host.includes(':') ? `[${host}]` : host;
    base = `http://${h}:${port}`;
  }
  return new AdminClient(base ?? 'http://127.0.0.1:8081', token);
}

function whoAmI(io: CliIo): string {
  return io.env.STRANGLER_ACTOR ?? `${io.env.USER ?? os.userInfo().username}@${os.hostname()} (cli)`;
}

function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  return rows.map((r) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]!))).join('  ')).join('\n') + '\n';
}

function dialCells(d: Dial): string[] {
  return [`${d.new}%`, `${d.shadow}%`, d.fallback ? 'on' : 'off'];
}

function changeLine(c: DialChange): string {
  const what = c.action === 'rollback' ? `rolled back version ${c.undoes}` : 'changed';
  return `${c.route}: ${what} (version ${c.version}): ${describeDial(c.before)}  →  ${describeDial(c.after)}\n`;
}

function withAdminOptions(cmd: Command): Command {
  return cmd
    .option('--admin <url>', 'admin API base URL (default: from -c, $STRANGLER_ADMIN_URL, or http://127.0.0.1:8081)')
    .option('-c, --config <file>', 'config file, to find the admin address')
    .option('--json', 'print JSON');
}

export function routesCommand(io: CliIo): Command {
  const routes = new Command('routes').description("see and turn a running proxy's route dials (token from $STRANGLER_ADMIN_TOKEN)");

  withAdminOptions(routes.command('list').description('list routes with their dials')).action(async (opts: AdminOptions) => {
    const list = await client(opts, io).list();
    if (opts.json) return void io.stdout.write(JSON.stringify(list, null, 2) + '\n');
    const rows = [['ROUTE', 'METHODS', 'PATH', 'NEW', 'SHADOW', 'FALLBACK', 'SOURCE']];
    for (const r of list.routes) rows.push([r.name, r.methods.join(','), r.path, ...dialCells(r.dial), r.source]);
    io.stdout.write(table(rows) + `state version ${list.version}\n`);
  });

  withAdminOptions(routes.command('set').description('change dials of a route, or of every route of a group in one change: routes set checkout.post --new 25'))
    .argument('<route>', 'route name, or route group name')
    .option('--new <percent>', '% of users served by the new service (sticky)', dialPercentArg)
    .option('--shadow <percent>', '% of requests mirrored to the other backend', dialPercentArg)
    .option('--fallback <on|off>', 'answer from legacy when the new service fails an idempotent request', onOffArg)
    .action(async (route: string, opts: AdminOptions & { new?: number; shadow?: number; fallback?: boolean }) => {
      if (opts.new === undefined && opts.shadow === undefined && opts.fallback === undefined) {
        throw new StranglerError('STRANGLER_E_USAGE', 'routes set needs at least one of --new, --shadow, --fallback', { hint: 'e.g. strangler routes set checkout.post --new 25' });
      }
      const patch = { ...(opts.new !== undefined && { new: opts.new }), ...(opts.shadow !== undefined && { shadow: opts.shadow }), ...(opts.fallback !== undefined && { fallback: opts.fallback }) };
      const change = await client(opts, io).turn(route, patch, whoAmI(io));
      if (opts.json) return void io.stdout.write(JSON.stringify(change, null, 2) + '\n');
      if ('group' in change && 'changes' in change) {
        io.stdout.write(`group ${change.group}: ${change.changes.length} route(s) changed in version ${change.version}\n`);
        for (const c of change.changes) io.stdout.write('  ' + changeLine(c));
      } else io.stdout.write(changeLine(change));
    });

  withAdminOptions(routes.command('rollback').description("undo the route's latest change (repeat to walk further back)"))
    .argument('<route>', 'route name')
    .action(async (route: string, opts: AdminOptions) => {
      const change = await client(opts, io).rollback(route, whoAmI(io));
      io.stdout.write(opts.json ? JSON.stringify(change, null, 2) + '\n' : changeLine(change));
    });

  withAdminOptions(routes.command('history').description("the route's dial changes, newest first"))
    .argument('<route>', 'route name')
    .option('--limit <n>', 'at most this many changes', (v) => {
      if (!/^\d+$/.test(v) || Number(v) < 1) throw new InvalidArgumentError(`expected a whole number above 0, got "${v}"`);
      return Number(v);
    })
    .action(async (route: string, opts: AdminOptions & { limit?: number }) => {
      const h = await client(opts, io).history(route, opts.limit);
      if (opts.json) return void io.stdout.write(JSON.stringify(h, null, 2) + '\n');
      const rows = [['VERSION', 'AT', 'WHO', 'ACTION', 'BEFORE', 'AFTER']];
      for (const c of h.changes) rows.push([String(c.version), c.at, c.who, c.action === 'rollback' ? `rollback of ${c.undoes}` : 'set', describeDial(c.before), describeDial(c.after)]);
      io.stdout.write(h.changes.length === 0 ? `${route}: no changes at runtime; its dials are the config's\n` : table(rows));
    });

  routes.addCommand(rampCommand(io, (opts) => client(opts as AdminOptions, io), () => whoAmI(io), withAdminOptions));

  return routes;
}
