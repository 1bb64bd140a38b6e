import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type autocannonType from 'autocannon';
import { freePort } from '../local-servers/free-port.js';
import { pacedLoad } from './paced-load.js';

export interface Started {
  url: string;
  /** Its process (a node role). */
  pid?: number;
  /** The admin API (a strangler role). */
  adminUrl?: string;
  /** CPU time (user + system, ms) used so far by the process(es) serving this target. */
  cpuMs: () => number;
  /** CPU time of its main thread alone (the event loop users wait on), where known. */
  mainCpuMs?: () => number;
  stop: () => Promise<void>;
}

/** utime + stime of a process (all its threads), in ms (from /proc; 0 where /proc is missing). */
function processCpuMs(pid: number, thread?: number): number {
  try {
    const fields = fs.readFileSync(thread === undefined ? `/proc/${pid}/stat` : `/proc/${pid}/task/${thread}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100; // clock ticks are 1/100 s on Linux
  } catch {
    return 0;
  }
}

/** A process and its direct children (nginx's workers). */
function treeCpuMs(pid: number): number {
  let total = processCpuMs(pid);
  try {
    for (const entry of fs.readdirSync('/proc')) {
      if (!/^\d+$/.test(entry)) continue;
      try {
        const stat = fs.readFileSync(`/proc/${entry}/stat`, 'utf8');
        if (Number(stat.split(') ')[1]!.split(' ')[1]) === pid) total += processCpuMs(Number(entry));
      } catch {
        // gone meanwhile
      }
    }
  } catch {
    // no /proc
  }
  return total;
}

const HERE = path.dirname(new URL(import.meta.url).pathname);

/** Starts a role of bench/proxy-roles.ts in its own node process; resolves once it listens. */
export function startRole(role: string, ...args: string[]): Promise<Started> {
  // A scratch directory per process (the diff records of a shadowing proxy), removed on stop.
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'strangler-bench-role-'));
  // STRANGLER_BENCH_NODE_ARGS (e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof") go to the proxies under
  // test, which are then stopped with SIGINT so that the profile gets written.
  const nodeArgs = role === 'strangler' ? (process.env.STRANGLER_BENCH_NODE_ARGS?.split(' ').filter(Boolean) ?? []) : [];
  const child = spawn(process.execPath, [...nodeArgs, '--import', 'tsx', path.join(HERE, 'proxy-roles.ts'), role, ...args], {
    stdio: ['ignore', 'pipe', 'inherit'],
    env: { ...process.env, STRANGLER_LOG_LEVEL: 'error', STRANGLER_BENCH_DIR: dir },
  });
  child.once('exit', () => fs.rmSync(dir, { recursive: true, force: true }));
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (c) => {
      out += c;
      const m = /ready (\d+)(?: (\d+))?\n/.exec(out);
      if (m) {
        resolve({
          url: `http://127.0.0.1:${m[1]}`,
          ...(m[2] ? { adminUrl: `http://127.0.0.1:${m[2]}` } : {}),
          pid: child.pid!,
          cpuMs: () => processCpuMs(child.pid!),
          mainCpuMs: () => processCpuMs(child.pid!, child.pid!),
          stop: () =>
            new Promise<void>((done) => {
              if (child.exitCode !== null || child.signalCode !== null) return done();
              child.once('exit', () => done());
              child.kill(nodeArgs.length ? 'SIGINT' : 'SIGKILL');
            }),
        });
      }
    });
    child.once('exit', (code) => reject(new Error(`${role} exited with ${code} before it was ready`)));
  });
}

/**
 * Splits the machine for a latency run: the proxies under test on the last CPU, everything else (this
 * process, which generates the load, and the backends) on the others, as they would be on machines of
 * their own. Pinned with taskset(1), all threads at once; threads started later inherit it. Returns a
 * description of the split, or undefined where it cannot be made (one CPU, no taskset).
 */
export function pinApart(proxies: Started[], rest: Started[]): string | undefined {
  const cpus = os.cpus().length;
  if (cpus < 2) return undefined;
  const proxyCpu = String(cpus - 1);
  const restCpus = cpus === 2 ? '0' : `0-${cpus - 2}`;
  const pids = (xs: Started[]) => xs.flatMap((x) => (x.pid === undefined ? [] : [x.pid]));
  const pin = (pid: number, list: string) => execFileSync('taskset', ['-a', '-p', '-c', list, String(pid)], { stdio: 'ignore' });
  const proxyPids = pids(proxies);
  const otherPids = [process.pid, ...pids(rest)];
  try {
    for (const pid of proxyPids) pin(pid, proxyCpu);
    for (const pid of otherPids) pin(pid, restCpus);
  } catch {
    // Not half split: every process back on every CPU (each on its own: one failure must not stop the rest).
    for (const pid of [...proxyPids, ...otherPids]) {
      try {
        pin(pid, `0-${cpus - 1}`);
      } catch {
        // gone, or no taskset at all: nothing of it was pinned
      }
    }
    return undefined;
  }
  return `proxies on CPU ${proxyCpu}, load generator and backends on CPU ${restCpus}`;
}

/** nginx with a throw-away config: one worker, keep-alive to the backend, no access log. */
export async function startNginx(backendUrl: string): Promise<Started> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'strangler-bench-nginx-'));
  const port = await freePort();
  const backend = new URL(backendUrl);
  fs.writeFileSync(
    path.join(dir, 'nginx.conf'),
    `worker_processes 1;
daemon off;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log warn;
events { worker_connections 1024; }
http {
  access_log off;
  client_body_temp_path ${dir}/body; proxy_temp_path ${dir}/proxy; fastcgi_temp_path ${dir}/fcgi; uwsgi_temp_path ${dir}/uwsgi; scgi_temp_path ${dir}/scgi;
  upstream backend { server ${backend.host}; keepalive 64; }
  server {
    listen 127.0.0.1:${port};
    location / { proxy_pass http://backend; proxy_http_version 1.1; proxy_set_header Connection ""; proxy_set_header Host $host; }
  }
}
`,
  );
  const child = spawn('nginx', ['-p', dir, '-c', path.join(dir, 'nginx.conf')], { stdio: 'ignore' });
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 5000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`nginx exited with ${child.exitCode}: ${fs.readFileSync(path.join(dir, 'error.log'), 'utf8')}`);
    const ok = await fetch(url).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) break;
    if (Date.now() > deadline) throw new Error('nginx did not start');
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    url,
    cpuMs: () => treeCpuMs(child.pid!),
    stop: () =>
      new Promise<void>((done) => {
        const finish = () => {
          fs.rmSync(dir, { recursive: true, force: true });
          done();
        };
        if (child.exitCode !== null) return finish();
        child.once('exit', finish);
        child.kill('SIGQUIT');
        setTimeout(() => child.kill('SIGKILL'), 2000).unref();
      }),
  };
}

/** The machine's CPU counters (/proc/stat, all CPUs), to tell how busy a run kept it. */
function machineTicks(): { busy: number; steal: number; total: number } {
  try {
    const f = fs.readFileSync('/proc/stat', 'utf8').split('\n', 1)[0]!.trim().split(/\s+/).slice(1).map(Number);
    const total = f.reduce((a, b) => a + b, 0);
    // user nice system idle iowait irq softirq steal …: idle and iowait are not busy; steal is the
    // time the hypervisor gave this machine's CPUs to someone else.
    return { busy: total - f[3]! - f[4]! - f[7]!, steal: f[7]!, total };
  } catch {
    return { busy: 0, steal: 0, total: 0 };
  }
}

/** What one run cost: the target's CPU per request (all threads, and its main thread), the machine's share. */
interface RunCost {
  cpuUsPerRequest: number;
  mainCpuUsPerRequest: number;
  machineBusy: number;
  steal: number;
}

/**
 * Runs `work` and measures what it cost: the target's CPU over the run divided by the requests the
 * run made (`requestsOf` its result), and the share (%) of the machine's CPU busy and stolen meanwhile.
 */
async function measureRun<T>(target: Started | undefined, work: () => Promise<T>, requestsOf: (r: T) => number): Promise<{ result: T; cost: RunCost }> {
  const cpu0 = target?.cpuMs() ?? 0;
  const main0 = target?.mainCpuMs?.() ?? 0;
  const a = machineTicks();
  const result = await work();
  const b = machineTicks();
  const requests = requestsOf(result);
  const per = (ms: number) => (requests > 0 ? (ms * 1000) / requests : 0);
  const total = b.total - a.total || 1;
  return {
    result,
    cost: {
      cpuUsPerRequest: per((target?.cpuMs() ?? 0) - cpu0),
      mainCpuUsPerRequest: per((target?.mainCpuMs?.() ?? 0) - main0),
      machineBusy: (100 * (b.busy - a.busy)) / total,
      steal: (100 * (b.steal - a.steal)) / total,
    },
  };
}

export interface LoadResult extends RunCost {
  rps: number;
  p50: number;
  p99: number;
  errors: number;
}

/** One autocannon run; errors count transport errors and non-2xx answers. */
export async function runLoad(
  autocannon: typeof autocannonType,
  url: string,
  options: { connections: number; duration: number; headers?: Record<string, string>; overallRate?: number; target?: Started },
): Promise<LoadResult> {
  const { result: r, cost } = await measureRun(
    options.target,
    () => autocannon({ url, connections: options.connections, duration: options.duration, headers: options.headers, overallRate: options.overallRate }),
    (r) => r.requests.total,
  );
  return { rps: r.requests.average, p50: r.latency.p50, p99: r.latency.p99, errors: r.errors + r.timeouts + r.non2xx, ...cost };
}

/**
 * One open-loop run at a fixed rate (paced-load.ts): latency from when each request was due, with
 * sub-millisecond precision, and the target's CPU per request.
 */
export async function runPaced(url: string, options: { rate: number; connections: number; duration: number; headers?: Record<string, string>; target?: Started }): Promise<LoadResult & { max: number }> {
  // The CPU is spent on every request sent, the warm-up's included.
  const { result: r, cost } = await measureRun(options.target, () => pacedLoad(url, options), (r) => r.sent);
  return { rps: r.rps, p50: r.p50, p99: r.p99, max: r.max, errors: r.errors, ...cost };
}

/** A strangler role's counter from its admin /metrics, summed over its label sets. */
export async function counterOf(target: Started, name: string, labelFilter = ''): Promise<number> {
  if (!target.adminUrl) return 0;
  const text = await (await fetch(`${target.adminUrl}/metrics`, { headers: { authorization: 'Bearer bench-admin-token-0123456789' } })).text();
  let sum = 0;
  for (const line of text.split('\n')) if (line.startsWith(`${name}{`) && line.includes(labelFilter)) sum += Number(line.slice(line.lastIndexOf(' ') + 1));
  return sum;
}

export function mean(xs: readonly number[]): number {
  return xs.reduce((a, b) => a + b, 0) / xs.length;
}

/** A target's rounds as one row: the mean of each figure, the errors summed. */
export function meanOfRounds(rs: readonly LoadResult[]) {
  return {
    rps: mean(rs.map((r) => r.rps)),
    p50: mean(rs.map((r) => r.p50)),
    p99: mean(rs.map((r) => r.p99)),
    cpu: mean(rs.map((r) => r.cpuUsPerRequest)),
    main: mean(rs.map((r) => r.mainCpuUsPerRequest)),
    busy: mean(rs.map((r) => r.machineBusy)),
    steal: mean(rs.map((r) => r.steal)),
    errors: rs.reduce((a, r) => a + r.errors, 0),
  };
}

export function ratio(a: number, b: number): string {
  return `${(a / b).toFixed(2)}×`;
}

export function percent(xs: number[]): string {
  if (xs.length < 2) return 'n/a';
  return `±${((100 * (Math.max(...xs) - Math.min(...xs))) / 2 / mean(xs)).toFixed(1)}%`;
}

export function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  return rows.map((r) => r.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ')).join('\n') + '\n';
}

/** A numeric `--name value` flag of the bench's command line, or the default. */
export function numberFlag(name: string, dflt: number): number {
  const args = process.argv.slice(2);
  const i = args.indexOf(`--${name}`);
  return i === -1 ? dflt : Number(args[i + 1]);
}
