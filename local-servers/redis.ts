import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { freePort, waitFor } from './free-port.js';
import { startProcess, type Started } from './process.js';

export interface RedisServer {
  url: string;
  port: number;
  /** The server process (kill it with SIGKILL to play a crash). */
  process: Started;
  /** Starts the server again on the same port and data directory (after a kill). */
  restart: () => Promise<void>;
  /** Stops the server and removes its data directory. */
  stop: () => Promise<void>;
}

const BINARIES = ['/usr/bin/redis-server', '/usr/local/bin/redis-server', '/usr/sbin/redis-server'];

/** PING over a raw socket: true once the server answers +PONG. */
function ping(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect(port, '127.0.0.1');
    let got = '';
    s.setTimeout(1000, () => s.destroy());
    s.on('connect', () => s.write('PING\r\n'));
    s.on('data', (c) => {
      got += c;
      if (got.includes('\r\n')) s.end();
    });
    s.on('close', () => resolve(got.startsWith('+PONG')));
    s.on('error', () => resolve(false));
  });
}

/**
 * Starts a private redis-server on a free loopback port, its data in a fresh temp directory
 * (append-only file, fsync on every write, so a SIGKILLed server comes back with its data as a
 * production Redis with persistence would). Nothing is shared with a Redis the machine may run.
 */
export async function startRedis(): Promise<RedisServer> {
  const binary = BINARIES.find((b) => existsSync(b));
  if (!binary) throw new Error('no redis-server binary found: install it with `apt-get install redis-server` (scripts/setup.sh does)');
  const dir = mkdtempSync(path.join(os.tmpdir(), 'strangler-redis-'));
  const port = await freePort();
  const args = ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', '', '--appendonly', 'yes', '--appendfsync', 'always', '--protected-mode', 'no'];
  const start = async (): Promise<Started> => {
    const started = startProcess(binary, args, path.join(dir, 'redis.log'));
    await waitFor('redis-server', () => ping(port), 20_000, started.exited);
    return started;
  };
  const server: RedisServer = {
    url: `redis://127.0.0.1:${port}`,
    port,
    process: await start(),
    restart: async () => {
      server.process = await start();
    },
    stop: async () => {
      await server.process.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  return server;
}
