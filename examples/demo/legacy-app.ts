import path from 'node:path';
import { PACKAGE_ROOT } from '../../core/package-info.js';
import { startPhpServer, type PhpServer } from '../../local-servers/php.js';

export const LEGACY_ROUTER = path.join(PACKAGE_ROOT, 'examples', 'legacy-php', 'index.php');

export interface LegacyAppOptions {
  /** mysql://user:pass@host:port/database — the seeded legacy database. */
  mysqlUrl: string;
  host?: string;
  port?: number;
  workers?: number;
}

/**
 * Starts the legacy PHP app (examples/legacy-php) with PHP's built-in server on a free port and
 * waits for GET /api/health to answer 200, i.e. for the app to reach its database.
 */
export function startLegacyApp(options: LegacyAppOptions): Promise<PhpServer> {
  return startPhpServer({
    router: LEGACY_ROUTER,
    env: legacyAppEnv(options.mysqlUrl),
    host: options.host,
    port: options.port,
    workers: options.workers,
    healthPath: '/api/health',
  });
}

/** The app's configuration: DB_HOST, DB_PORT, DB_NAME, DB_USER, DB_PASSWORD. */
export function legacyAppEnv(mysqlUrl: string): Record<string, string> {
  const u = new URL(mysqlUrl);
  const name = decodeURIComponent(u.pathname.slice(1));
  if (!name) throw new Error('the legacy app needs a MySQL URL that names its database, e.g. mysql://root@127.0.0.1:3306/strangler_demo');
  return {
    DB_HOST: u.hostname,
    DB_PORT: u.port || '3306',
    DB_NAME: name,
    DB_USER: decodeURIComponent(u.username) || 'root',
    DB_PASSWORD: decodeURIComponent(u.password),
  };
}
