import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { freePort, waitFor } from './free-port.js';
import { startProcess } from './process.js';

const run = promisify(execFile);

export const PHP_INSTALL_HINT = 'install it with `apt-get install php-cli php-mysql` (Debian/Ubuntu), or set STRANGLER_PHP=/path/to/php';

export interface PhpServer {
  url: string;
  port: number;
  pid: number;
  /** PHP's own log: the access log and anything the app sends to error_log(). */
  logFile: string;
  /** Stops the server (and its workers) by process group and removes its temp directory. */
  stop: () => Promise<void>;
}

export interface PhpServerOptions {
  /** The router script every request goes through (`php -S host:port router.php`). */
  router: string;
  /** Extra environment for the app (e.g. DB_HOST…), on top of this process's. */
  env?: NodeJS.ProcessEnv;
  host?: string;
  /** 0 or unset: a free port. */
  port?: number;
  /** PHP_CLI_SERVER_WORKERS: requests served in parallel (the built-in server is serial without it). */
  workers?: number;
  /** Path that must answer 200 once the app is ready. */
  healthPath?: string;
  readyTimeoutMs?: number;
}

/**
 * The php binary to use, checked to have pdo_mysql; throws an error that says exactly what to
 * install when it is missing.
 */
export async function findPhp(env: NodeJS.ProcessEnv = process.env): Promise<string> {
  const candidates = env.STRANGLER_PHP
    ? [env.STRANGLER_PHP]
    : [...(env.PATH ?? '').split(path.delimiter).filter(Boolean).map((d) => path.join(d, 'php')), '/usr/bin/php', '/usr/local/bin/php'];
  const php = candidates.find((c) => existsSync(c));
  if (!php) throw new Error(`PHP is not installed (no php on PATH): the legacy demo app needs PHP with pdo_mysql; ${PHP_INSTALL_HINT}`);
  let modules: string;
  try {
    modules = (await run(php, ['-m'], { timeout: 10_000 })).stdout;
  } catch (err) {
    throw new Error(`${php} does not run (${(err as Error).message.split('\n')[0]}); ${PHP_INSTALL_HINT}`, { cause: err });
  }
  if (!/^pdo_mysql$/im.test(modules)) {
    throw new Error(`${php} lacks the pdo_mysql extension the legacy demo app needs; install it with \`apt-get install php-mysql\``);
  }
  return php;
}

/** Starts PHP's built-in web server with a router script and waits until its health path answers 200. */
export async function startPhpServer(options: PhpServerOptions): Promise<PhpServer> {
  const php = await findPhp({ ...process.env, ...options.env });
  const host = options.host ?? '127.0.0.1';
  const port = options.port || (await freePort(host));
  const dir = mkdtempSync(path.join(os.tmpdir(), 'strangler-php-'));
  const logFile = path.join(dir, 'php.log');
  const started = startProcess(php, ['-S', `${host}:${port}`, '-t', path.dirname(options.router), options.router], logFile, {
    ...process.env,
    ...options.env,
    PHP_CLI_SERVER_WORKERS: String(options.workers ?? 4),
  });
  const url = `http://${host}:${port}`;
  const health = `${url}${options.healthPath ?? '/'}`;
  const stop = async () => {
    // SIGINT first: the server's master then stops its workers and reaps them. SIGTERM (what
    // started.stop() sends) kills the master at once and orphans the workers, which stay as
    // zombies wherever PID 1 does not reap.
    if (started.exited() === undefined && started.child.exitCode === null) {
      const gone = new Promise<void>((resolve) => started.child.once('exit', () => resolve()));
      try {
        process.kill(-started.child.pid!, 'SIGINT');
      } catch {
        /* already gone */
      }
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([gone, new Promise<void>((resolve) => (timer = setTimeout(resolve, 3000)))]);
      clearTimeout(timer);
    }
    await started.stop();
    rmSync(dir, { recursive: true, force: true });
  };
  let answer: { status: number; body: string } | undefined;
  try {
    await waitFor(
      `php -S ${host}:${port} (log: ${logFile})`,
      async () => {
        const res = await fetch(health);
        answer = { status: res.status, body: await res.text() };
        return true;
      },
      options.readyTimeoutMs ?? 15_000,
      started.exited,
    );
  } catch (err) {
    await stop();
    throw err;
  }
  if (answer!.status !== 200) {
    await stop();
    throw new Error(`the PHP app started but ${health} answered ${answer!.status}: ${answer!.body.slice(0, 300)}`);
  }
  return { url, port, pid: started.child.pid!, logFile, stop };
}
