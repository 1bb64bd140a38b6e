import http from 'node:http';
import type net from 'node:net';
import type { ProxyConfig } from '../config/proxy-schema.js';
import type { ListenAddress } from '../config/refinements.js';
import { StranglerError, describeCause } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import { adminApp } from './admin/app.js';
import { installLimits, serverOptions, watchBody } from './listener-limits.js';
import type { ProxyMetrics } from './metrics.js';
import { Pilot } from './pilot.js';
import { StranglerProxy } from './proxy-server.js';
import type { ShadowSink } from './shadow-contract.js';
import type { ShadowWorkerSpec } from './shadow/worker-mirror.js';
import type { StateStore } from './state/contract.js';
import type { ConsoleSources } from './console/sources.js';

export interface RunningProxy {
  readonly proxy: StranglerProxy;
  /** The guard and the ramps (what the proxy does by itself, once per second). */
  readonly pilot: Pilot;
  /** Where the public listener and the admin API really listen (port 0 resolved). */
  readonly address: ListenAddress;
  readonly adminAddress: ListenAddress;
  /** Client connections open on the public listener. */
  connections(): number;
  /** Swaps in a validated config; listen addresses need a restart (a warning says so). */
  reload(config: ProxyConfig): void;
  /** Stops accepting, lets in-flight requests finish for up to graceMs, then closes everything. */
  stop(graceMs?: number): Promise<void>;
}

export interface StartOptions {
  config: ProxyConfig;
  store: StateStore;
  logger?: Logger;
  metrics?: ProxyMetrics;
  /** Where mirrored request pairs go; the caller constructs it and closes it after stop(). */
  shadowSink?: ShadowSink;
  /** Mirrors in a worker thread that builds its own sink (see shadow/worker-mirror.ts); stop() ends it. */
  shadowWorker?: ShadowWorkerSpec;
  /** The guard's window clock period (1000 ms); only tests of that clock change it. */
  pilotTickMs?: number;
  /** What the web console reads besides the proxy (diff records, checkpoints); see console/sources.ts. */
  console?: ConsoleSources;
}

function listenOn(server: http.Server, at: ListenAddress, what: string): Promise<ListenAddress> {
  return new Promise((resolve, reject) => {
    const onError = (err: Error) => {
      reject(
        new StranglerError('STRANGLER_E_PROXY_LISTEN', `the ${what} cannot listen on ${at.host}:${at.port}: ${describeCause(err)}`, {
          cause: err,
          hint: `stop the process using the port, or change ${what === 'proxy' ? 'proxy.listen' : 'proxy.admin.listen'}`,
        }),
      );
    };
    server.once('error', onError);
    server.listen(at.port, at.host, () => {
      server.off('error', onError);
      const a = server.address() as net.AddressInfo;
      resolve({ host: a.address, port: a.port });
    });
  });
}

function closeServer(server: http.Server, graceMs: number): Promise<void> {
  return new Promise((resolve) => {
    if (!server.listening) return resolve();
    const deadline = Date.now() + graceMs;
    server.close(() => {
      clearInterval(sweep);
      resolve();
    });
    // Connections that go idle after their last response are closed as they become idle; whatever
    // is still busy at the deadline is cut.
    const sweep = setInterval(() => {
      server.closeIdleConnections();
      if (Date.now() > deadline) server.closeAllConnections();
    }, 25);
    server.closeIdleConnections();
  });
}

/** Starts the proxy's public listener and its admin API. */
export async function startProxy(options: StartOptions): Promise<RunningProxy> {
  const { config, store, logger } = options;
  const proxy = await StranglerProxy.create({ config, store, logger, metrics: options.metrics, shadowSink: options.shadowSink, shadowWorker: options.shadowWorker });
  const pilot = new Pilot({ proxy, store, logger, tickMs: options.pilotTickMs, ...(options.console ? { sources: options.console } : {}) });
  let current = config;
  // Timeouts and limits of the public side (listener-limits.ts); they change only on restart.
  const limits = config.limits;
  const server = http.createServer(serverOptions(limits), (req, res) => {
    watchBody(req, res, limits.bodyTimeoutMs);
    proxy.handle(req, res);
  });
  server.on('upgrade', proxy.upgrade);
  installLimits(server, limits, logger);
  const admin = http.createServer(adminApp(proxy, { token: () => current.admin.token, logger, pilot, ...(options.console ? { console: options.console } : {}) }));
  let address: ListenAddress;
  let adminAddress: ListenAddress;
  try {
    address = await listenOn(server, config.listen, 'proxy');
    adminAddress = await listenOn(admin, config.admin.listen, 'admin API');
  } catch (err) {
    server.close();
    admin.close();
    await proxy.close();
    throw err;
  }
  pilot.start();
  logger?.info({ listen: `${address.host}:${address.port}`, admin: `${adminAddress.host}:${adminAddress.port}`, routes: config.routes.length }, 'proxy started');
  let stopping: Promise<void> | undefined;
  let open = 0;
  server.on('connection', (s: net.Socket) => {
    open++;
    s.once('close', () => open--);
  });
  return {
    proxy,
    pilot,
    address,
    adminAddress,
    connections: () => open,
    reload(next) {
      const moved = (a: ListenAddress, b: ListenAddress) => a.host !== b.host || a.port !== b.port;
      if (moved(next.listen, current.listen) || moved(next.admin.listen, current.admin.listen)) {
        logger?.warn('listen addresses changed in the config; they take effect on the next restart');
      }
      if (JSON.stringify(next.limits) !== JSON.stringify(current.limits)) logger?.warn('proxy.limits changed in the config; they take effect on the next restart');
      proxy.reload(next);
      current = next;
      logger?.info({ routes: next.routes.length }, 'config reloaded');
    },
    stop(graceMs = 10_000) {
      stopping ??= (async () => {
        logger?.info({ graceMs }, 'proxy stopping');
        const done = Promise.all([closeServer(server, graceMs), closeServer(admin, Math.min(graceMs, 1000))]);
        for (const s of proxy.upgradedSockets) s.end();
        await done;
        await pilot.stop();
        await proxy.close();
        logger?.info('proxy stopped');
      })();
      return stopping;
    },
  };
}
