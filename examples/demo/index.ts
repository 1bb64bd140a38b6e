/**
 * What `strangler demo` wires together, in one place:
 *   const summary = await seedDemoDatabase(`${mysql.url}strangler_demo`);        // ≈75k rows
 *   const legacy = await startLegacyApp({ mysqlUrl: `${mysql.url}strangler_demo` }); // php -S
 *   const fresh = await startNewService({ projectId, namespace });               // express
 *   …then load DEMO_CONFIG_FILE with demoConfigEnv({ …addresses }) merged into the environment,
 *   run the proxy and the playbook, and finally legacy.stop(), fresh.stop().
 */
import path from 'node:path';
import { PACKAGE_ROOT } from '../../core/package-info.js';

export { seedDemoDatabase, type SeedSummary } from './seed.js';
export { DEMO_SEED, generateSeed, type SeedOptions } from './seed-data.js';
export { startLegacyApp, legacyAppEnv, type LegacyAppOptions } from './legacy-app.js';
export { startNewService, type NewServiceHandle, type StartNewServiceOptions } from '../new-service/server.js';
export { createNewService } from '../new-service/app.js';

export { demoConfigEnv, type DemoAddresses } from './config-env.js';

export const DEMO_CONFIG_FILE = path.join(PACKAGE_ROOT, 'examples', 'demo', 'strangler.yaml');

/** The database the demo seeds on its private MariaDB. */
export const DEMO_DATABASE = 'strangler_demo';

/** What the diff report must show once the read routes are shadowed (see examples/new-service/render.ts). */
export const DEMO_EXPECTED = {
  /** The new service shows full names ("Anna Kowalski"); legacy showed "Anna K.". */
  difference: { route: 'users.get', method: 'GET', path: '/api/users/:id', field: '/displayName' },
  /** A timestamp of "now" with microseconds: differs between two legacy answers. */
  noise: { route: 'activities.get', method: 'GET', path: '/api/activities/:id', field: '/serverTime' },
  /** Equal after the PHP normalisers: candidates for the canary. */
  clean: ['users.activities', 'chats.messages.list'],
} as const;
