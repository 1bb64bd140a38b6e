import { Command } from 'commander';
import { loadConfig, requireSection, resolveFromConfig } from '../config/load.js';
import { describeCause } from '../core/errors.js';
import type { Config } from '../config/schema.js';
import { createLogger, type Logger } from '../core/logger.js';
import { watchFileContent } from '../proxy/config-watch.js';
import { startProxy } from '../proxy/runtime.js';
import type { ShadowSink } from '../proxy/shadow-contract.js';
import type { StateStore } from '../proxy/state/contract.js';
import { FileStateStore } from '../proxy/state/file-store.js';
import { MemoryStateStore } from '../proxy/state/memory-store.js';
import { intArg } from './program.js';
import type { CliIo } from './io.js';

/**
 * What the diff side plugs in: a ShadowSink built from the config (diffs store, rules). Without one,
 * shadow dials mirror nothing (the proxy logs a warning when routes have them).
 */
export interface ProxyCommandDeps {
  shadowSink?: (config: Config, logger: Logger) => ShadowSink | undefined;
}

export function proxyCommand(io: CliIo, deps: ProxyCommandDeps = {}): Command {
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
      const store: StateStore = p.state.store === 'memory' ? new MemoryStateStore() : new FileStateStore(resolveFromConfig(config, p.state.path));
      const shadowSink = deps.shadowSink?.(config, logger);
      const running = await startProxy({ config: p, store, logger, shadowSink }).catch(async (err: unknown) => {
        await shadowSink?.close();
        await store.close();
        throw err;
      });
      const url = (a: { host: string; port: number }) => `http://${a.host.includes(':') ? `[${a.host}]` : a.host}:${a.port}`;
      io.stdout.write(`strangler proxy listening on ${url(running.address)} (admin API ${url(running.adminAddress)}), ${p.routes.length} route(s)\n`);

      const reload = (why: string) => {
        try {
          running.reload(requireSection(loadConfig(opts.config, io.env), 'proxy'));
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
      await shadowSink?.close();
      await store.close();
    });
  return proxy;
}
