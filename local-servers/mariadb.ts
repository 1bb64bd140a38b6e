import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import mysql from 'mysql2/promise';
import { freePort, waitFor } from './free-port.js';
import { startProcess } from './process.js';

const run = promisify(execFile);

export interface MysqlServer {
  /** mysql://root@127.0.0.1:PORT/ — no database; create one per use. */
  url: string;
  /** The server's process id (its process group), when this process started it. */
  pid?: number;
  /** Stops the server and removes its data directory (no-op for an external server). */
  stop: () => Promise<void>;
}

const SERVER_BINARIES = ['/usr/sbin/mariadbd', '/usr/sbin/mysqld', '/usr/bin/mariadbd', '/usr/bin/mysqld', '/usr/local/bin/mariadbd', '/usr/local/bin/mysqld'];
const INSTALL_BINARIES = ['/usr/bin/mariadb-install-db', '/usr/bin/mysql_install_db', '/usr/local/bin/mariadb-install-db'];

function which(candidates: string[]): string | undefined {
  return candidates.find((c) => existsSync(c));
}

/**
 * Starts a private MariaDB in a fresh temp data directory on a free loopback port, or uses the
 * server at MYSQL_URL when set. Nothing is shared with any other server on the machine.
 */
export async function startMysql(env: NodeJS.ProcessEnv = process.env): Promise<MysqlServer> {
  if (env.MYSQL_URL) return { url: env.MYSQL_URL, stop: async () => undefined };
  const server = which(SERVER_BINARIES);
  const install = which(INSTALL_BINARIES);
  if (!server || !install) {
    throw new Error(
      'no MariaDB/MySQL server binary found (looked for mariadbd/mysqld and mariadb-install-db). ' +
        'Install it with `apt-get install mariadb-server`, or set MYSQL_URL=mysql://user:pass@host:port/ to use a running server.',
    );
  }
  const dir = mkdtempSync(path.join(os.tmpdir(), 'strangler-mariadb-'));
  const datadir = path.join(dir, 'data');
  // A tmpdir of its own: the bootstrap's temporary tables (tmp_proxies_priv…) and the server's went to
  // the shared /tmp, and two private servers installed at once there once aborted the install
  // ("Unknown table 'mysql.tmp_proxies_priv'").
  const tmpdir = path.join(dir, 'tmp');
  mkdirSync(tmpdir);
  const asRoot = process.getuid?.() === 0 ? ['--user=root'] : [];
  await run(install, ['--no-defaults', `--datadir=${datadir}`, `--tmpdir=${tmpdir}`, '--auth-root-authentication-method=normal', '--skip-test-db', ...asRoot], { timeout: 60_000 });
  const port = await freePort();
  const started = startProcess(
    server,
    [
      '--no-defaults',
      `--datadir=${datadir}`,
      `--tmpdir=${tmpdir}`,
      `--socket=${path.join(dir, 'mysqld.sock')}`,
      `--pid-file=${path.join(dir, 'mysqld.pid')}`,
      `--port=${port}`,
      '--bind-address=127.0.0.1',
      '--skip-name-resolve',
      // The binlog in ROW format with a server id: what `migrate follow` reads (change data capture).
      `--log-bin=${path.join(dir, 'binlog')}`,
      '--server-id=1',
      '--binlog-format=ROW',
      '--binlog-row-image=FULL',
      '--max-connections=500',
      '--innodb-buffer-pool-size=256M',
      '--innodb-flush-log-at-trx-commit=2',
      '--character-set-server=utf8mb4',
      '--collation-server=utf8mb4_unicode_ci',
      ...asRoot,
    ],
    path.join(dir, 'mysqld.log'),
  );
  const url = `mysql://root@127.0.0.1:${port}/`;
  try {
    await waitFor(
      `mariadbd on port ${port} (log: ${dir}/mysqld.log)`,
      async () => {
        const c = await mysql.createConnection({ uri: url, connectTimeout: 1000 });
        await c.end();
        return true;
      },
      30_000,
      started.exited,
    );
  } catch (err) {
    await started.stop();
    throw err;
  }
  return {
    url,
    pid: started.child.pid,
    stop: async () => {
      await started.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
