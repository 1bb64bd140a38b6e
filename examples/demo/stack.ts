/**
 * Everything the demo runs, started in order and stopped in reverse: a private MariaDB (or
 * MYSQL_URL) seeded with the legacy data, the Datastore emulator (or DATASTORE_EMULATOR_HOST), the
 * legacy PHP app, the new service and the proxy with its admin API and diff sink. Like cli/, the demo
 * is a place that constructs adapters.
 */
import { randomBytes } from 'node:crypto';
import { appendFileSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { DiffSink } from '../../diffs/sink.js';
import type { DiffStore } from '../../diffs/store-contract.js';
import { loadConfig, requireSection } from '../../config/load.js';
import type { Config } from '../../config/schema.js';
import { StranglerError, describeCause } from '../../core/errors.js';
import { consoleSources } from '../../wiring/console-sources.js';
import { createDiffSinkFromConfig, openDiffStore } from '../../wiring/diffs.js';
import { openStateStore } from '../../wiring/state.js';
import { AdminClient } from '../../proxy/admin-client.js';
import { ProxyMetrics } from '../../proxy/metrics.js';
import { startProxy, type RunningProxy } from '../../proxy/runtime.js';
import { startDatastoreEmulator } from '../../local-servers/datastore-emulator.js';
import { freePort } from '../../local-servers/free-port.js';
import { startMysql } from '../../local-servers/mariadb.js';
import { findPhp, type PhpServer } from '../../local-servers/php.js';
import { mysqlError } from '../../migrators/mysql/connect.js';
import { startNewService, type NewServiceHandle } from '../new-service/server.js';
import { demoConfigEnv, type DemoAddresses } from './config-env.js';
import { DEMO_CONFIG_FILE, DEMO_DATABASE } from './index.js';
import { startLegacyApp } from './legacy-app.js';
import { Teardown } from './teardown.js';
import { seedDemoDatabase, type SeedSummary } from './seed.js';
import type { SeedOptions } from './seed-data.js';

export interface StackOptions {
  seed: SeedOptions;
  env: NodeJS.ProcessEnv;
  /** Called as each piece comes up ("MariaDB on :3307"), for the demo's running commentary. */
  progress?: (what: string) => void;
}

export interface DemoStack {
  config: Config;
  /** The environment the demo config is loaded with (process env + the demo's addresses). */
  configEnv: NodeJS.ProcessEnv;
  addresses: DemoAddresses;
  seed: SeedSummary;
  proxyUrl: string;
  adminUrl: string;
  admin: AdminClient;
  proxy: RunningProxy;
  sink: DiffSink;
  diffStore: DiffStore;
  legacy: PhpServer;
  /** The new service as it runs now (replaced by restartNew). */
  fresh(): NewServiceHandle;
  stopNew(): Promise<void>;
  /** Starts the new service again on the same port, where the proxy expects it. */
  restartNew(): Promise<void>;
  /** Unexpected errors of the new service so far, each a line in newServiceLog. */
  newServiceErrors: { count: number };
  newServiceLog: string;
  /** Failures the new service injects (the guard step sets failShare; it outlives restartNew). */
  newServiceFaults: { failShare: number };
  /** Processes the demo started (the new service and the proxy run inside the demo's own process). */
  pids: { demo: number; mariadb?: number; emulator?: number; php: number };
  /** Whether MariaDB / the emulator are the demo's own or were given by MYSQL_URL / DATASTORE_EMULATOR_HOST. */
  own: { mariadb: boolean; emulator: boolean };
  /** Stops everything this stack started, in reverse order; safe to call twice. */
  stop(): Promise<void>;
}

function prerequisite(err: unknown): never {
  throw new StranglerError('STRANGLER_E_DEMO_PREREQUISITE', describeCause(err), {
    cause: err,
    hint: 'install what the message names (npm run demo runs scripts/setup.sh, which installs PHP when run as root), then run the demo again',
  });
}

export async function startDemoStack(options: StackOptions): Promise<DemoStack> {
  const note = options.progress ?? (() => undefined);
  const teardown = new Teardown();
  const savedEmulatorHost = process.env.DATASTORE_EMULATOR_HOST;
  try {
    // PHP first: of the three it is the one a fresh machine most often lacks, and it is cheap to check.
    await findPhp(options.env).catch(prerequisite);
    const ownMysql = !options.env.MYSQL_URL;
    const ownEmulator = !options.env.DATASTORE_EMULATOR_HOST;
    // Both at once (the emulator takes seconds); each one that started is registered for teardown
    // before a failure of the other is thrown.
    const [mysqlStarted, emulatorStarted] = await Promise.allSettled([startMysql(options.env), startDatastoreEmulator(options.env)]);
    if (mysqlStarted.status === 'fulfilled') teardown.add('MariaDB', mysqlStarted.value.stop);
    if (emulatorStarted.status === 'fulfilled') teardown.add('Datastore emulator', emulatorStarted.value.stop);
    if (mysqlStarted.status === 'rejected') prerequisite(mysqlStarted.reason);
    if (emulatorStarted.status === 'rejected') prerequisite(emulatorStarted.reason);
    const mysql = mysqlStarted.value;
    const emulator = emulatorStarted.value;
    note(ownMysql ? `private MariaDB at ${mysql.url.replace(/\/$/, '')}` : 'MariaDB at MYSQL_URL');
    note(`${ownEmulator ? 'private ' : ''}Datastore emulator at ${emulator.host}`);
    // The Datastore clients (migrators, new service) read the emulator's address from the process.
    process.env.DATASTORE_EMULATOR_HOST = emulator.host;
    process.env.METADATA_SERVER_DETECTION ??= 'none';
    teardown.add('environment', () => {
      if (savedEmulatorHost === undefined) delete process.env.DATASTORE_EMULATOR_HOST;
      else process.env.DATASTORE_EMULATOR_HOST = savedEmulatorHost;
    });

    const mysqlUrl = new URL(mysql.url);
    mysqlUrl.pathname = `/${DEMO_DATABASE}`;
    const seed = await seedDemoDatabase(mysqlUrl.toString(), options.seed).catch((err: unknown) => {
      throw mysqlError(mysqlUrl.toString(), err);
    });
    note(`seeded ${DEMO_DATABASE}: ${Object.entries(seed.counts).map(([t, n]) => `${n} ${t}`).join(', ')} in ${(seed.ms / 1000).toFixed(1)} s`);

    const workDir = mkdtempSync(path.join(os.tmpdir(), 'strangler-demo-'));
    teardown.add('work directory', () => rmSync(workDir, { recursive: true, force: true }));
    // The new service's unexpected errors (a Datastore call timing out on an overloaded emulator) go
    // to a log file the demo names, not between the playbook's lines.
    const newServiceLog = path.join(workDir, 'new-service.log');
    const newServiceErrors = { count: 0 };
    const logError = (err: unknown, req: { method: string; originalUrl: string }) => {
      newServiceErrors.count++;
      appendFileSync(newServiceLog, `${new Date().toISOString()} ${req.method} ${req.originalUrl}: ${describeCause(err)}\n`);
    };
    // A private emulator starts empty; on a shared one a namespace of its own keeps runs apart.
    const projectId = 'strangler-demo';
    const namespace = ownEmulator ? '' : `demo-${Date.now().toString(36)}`;
    const newServiceFaults = { failShare: 0 };
    let fresh = await startNewService({ projectId, namespace, logError, faults: newServiceFaults });
    teardown.add('new service', () => fresh.stop());
    const legacy = await startLegacyApp({ mysqlUrl: mysqlUrl.toString(), workers: 4 });
    teardown.add('legacy PHP app', legacy.stop);
    note(`legacy PHP app at ${legacy.url}, new service at ${fresh.url}`);

    const [proxyPort, adminPort] = [await freePort(), await freePort()];
    const addresses: DemoAddresses = {
      proxyListen: `127.0.0.1:${proxyPort}`,
      adminListen: `127.0.0.1:${adminPort}`,
      adminToken: randomBytes(18).toString('base64url'),
      legacyUrl: legacy.url,
      newUrl: fresh.url,
      mysqlUrl: mysqlUrl.toString(),
      projectId,
      namespace,
      workDir,
    };
    const configEnv = { ...options.env, ...demoConfigEnv(addresses), DATASTORE_EMULATOR_HOST: emulator.host };
    const config = loadConfig(DEMO_CONFIG_FILE, configEnv);
    const p = requireSection(config, 'proxy');
    const metrics = new ProxyMetrics();
    // The sink as `proxy start` builds it, with the store kept here so the report step can flush it
    // before reading the file.
    const diffStore = openDiffStore(config);
    const sink = createDiffSinkFromConfig(config, { registry: metrics.registry, store: diffStore });
    teardown.add('diff sink', () => sink.close());
    const stateStore = openStateStore(config, p);
    teardown.add('dial store', () => stateStore.close());
    // The web console reads the diff file and the migrators' checkpoints, as under `proxy start`.
    const forConsole = consoleSources(config);
    teardown.add('console sources', forConsole.close);
    const proxy = await startProxy({ config: p, store: stateStore, metrics, shadowSink: sink, console: forConsole.sources });
    teardown.add('proxy', () => proxy.stop(2000));
    const proxyUrl = `http://${proxy.address.host}:${proxy.address.port}`;
    const adminUrl = `http://${proxy.adminAddress.host}:${proxy.adminAddress.port}`;
    note(`proxy at ${proxyUrl}, admin API at ${adminUrl}`);

    let stopped: Promise<void> | undefined;
    return {
      config,
      configEnv,
      addresses,
      seed,
      proxyUrl,
      adminUrl,
      admin: new AdminClient(adminUrl, addresses.adminToken),
      proxy,
      sink,
      diffStore,
      legacy,
      fresh: () => fresh,
      stopNew: () => fresh.stop(),
      restartNew: async () => {
        fresh = await startNewService({ projectId, namespace, logError, faults: newServiceFaults, port: fresh.port });
      },
      newServiceErrors,
      newServiceLog,
      newServiceFaults,
      pids: { demo: process.pid, mariadb: mysql.pid, emulator: emulator.pid, php: legacy.pid },
      own: { mariadb: ownMysql, emulator: ownEmulator },
      stop() {
        stopped ??= teardown.run().then((failures) => {
          if (failures.length > 0) throw new Error(`could not stop everything: ${failures.join('; ')}`);
        });
        return stopped;
      },
    };
  } catch (err) {
    await teardown.run();
    throw err;
  }
}
