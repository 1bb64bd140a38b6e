import { Command } from 'commander';
import { loadConfig, requireSection } from '../config/load.js';
import { proxyWarnings } from '../config/warnings.js';
import { describeCause } from '../core/errors.js';
import { createLogger } from '../core/logger.js';
import { createDiffMetrics } from '../diffs/metrics.js';
import { watchFileContent } from '../proxy/config-watch.js';
import { ProxyMetrics } from '../proxy/metrics.js';
import { startProxy } from '../proxy/runtime.js';
import { consoleSources } from '../wiring/console-sources.js';
import { openStateStore } from '../wiring/state.js';
import { SHADOW_WORKER_ENTRY } from '../wiring/proxy.js';
import { intArg } from './args.js';
import type { CliIo } from './io.js';

export function proxyCommand(io: CliIo): Command {
  const proxy = new Command('proxy').description('the routing proxy in front of legacy and the new service');
  proxy
    .command('start')
    .description('run the proxy in the foreground; SIGHUP or an edit of the file reloads the config, SIGTERM/SIGINT stop it gracefully')
    .requiredOption('-c, --config <file>', 'config file (YAML or JSON)')
    .option('--grace <ms>', 'on stop, how long in-flight requests may take to finish', intArg(0, 600_000), 10_000)
    .action(async (opts: { config: string; grace: number }) => {
      const config = loadConfig(opts.config, io.env);
      const p = requireSection(config, 'proxy');
      const logger = createLogger({ redactFields: p.diffs.redact });
      for (const w of proxyWarnings(p)) logger.warn({ code: w.code, path: w.path }, w.message);
      const store = openStateStore(config, p, logger);
      // Mirrored calls and their comparison run in a worker thread (wiring/shadow-worker.ts builds the
      // diff sink there from this config), off the user's event loop; the sink's compared/matched/
      // mismatched counters are reported to the proxy's own /metrics registry, registered here so
      // they show from the start.
      const metrics = new ProxyMetrics();
      createDiffMetrics(metrics.registry);
      const shadowWorker = { entry: SHADOW_WORKER_ENTRY, data: config };
      const forConsole = consoleSources(config);
      const running = await startProxy({ config: p, store, logger, metrics, shadowWorker, console: forConsole.sources }).catch(async (err: unknown) => {
        await store.close();
        await forConsole.close();
        throw err;
      });
      const url = (a: { host: string; port: number }) => `http://${a.host.includes(':') ? `[${a.host}]` : a.host}:${a.port}`;
      io.stdout.write(`strangler proxy listening on ${url(running.address)} (admin API ${url(running.adminAddress)}, console ${url(running.adminAddress)}/console/), ${p.routes.length} route(s)\n`);

      const reload = (why: string) => {
        try {
          const next = loadConfig(opts.config, io.env);
          running.reload(requireSection(next, 'proxy'));
          logger.info({ why }, 'config reload applied');
        } catch (err) {
          // The old table keeps serving; the error names the file, path and fix as at start.
          logger.error({ why, error: describeCause(err) }, 'config reload rejected; the previous config keeps serving');
        }
      };
      const unwatch = watchFileContent(opts.config, () => reload('file changed'));
      const onHup = () => reload('SIGHUP');
      process.on('SIGHUP', onHup);
      await new Promise<void>((resolve) => {
        const stop = (signal: NodeJS.Signals) => {
          process.off('SIGTERM', stop);
          process.off('SIGINT', stop);
          logger.info({ signal }, 'stopping');
          running.stop(opts.grace).then(resolve, resolve);
        };
        process.on('SIGTERM', stop);
        process.on('SIGINT', stop);
      });
      process.off('SIGHUP', onHup);
      unwatch();
      await store.close();
      await forConsole.close();
    });
  return proxy;
}
