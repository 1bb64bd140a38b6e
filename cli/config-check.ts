import { Command } from 'commander';
import { ConfigError } from '../config/issues.js';
import { loadConfig } from '../config/load.js';
import { proxyWarnings } from '../config/warnings.js';
import type { Config } from '../config/schema.js';
import { redact } from '../core/redact.js';
import type { CliIo } from './io.js';

function summary(config: Config): string {
  const lines = [`config ok: ${config.file}`];
  const p = config.proxy;
  if (p) {
    lines.push(`  proxy: listen ${p.listen.host}:${p.listen.port}, admin ${p.admin.listen.host}:${p.admin.listen.port}`);
    lines.push(`    backends: legacy ${p.backends.legacy.url} (timeout ${p.backends.legacy.timeoutMs} ms), new ${p.backends.new.url} (timeout ${p.backends.new.timeoutMs} ms)`);
    lines.push(`    ${p.routes.length} route(s); unmatched requests go to legacy`);
    for (const r of p.routes) {
      const methods = Array.isArray(r.match.method) ? r.match.method.join(',') : r.match.method;
      lines.push(`      ${r.name}: ${methods} ${r.match.path}  new ${r.new}%  shadow ${r.shadow}%  fallback ${r.fallback ? 'on' : 'off'}`);
    }
  }
  const m = config.migrate;
  if (m) {
    lines.push(`  migrate: ${m.source} → ${m.target.projectId}${m.target.namespace ? `/${m.target.namespace}` : ''}`);
    for (const [name, t] of Object.entries(m.tables)) lines.push(`      ${name} → ${t.kind}`);
  }
  return lines.join('\n') + '\n';
}

export function configCommand(io: CliIo): Command {
  const config = new Command('config').description('work with the config file');
  config
    .command('check')
    .description('validate a config file and print a short summary, or every error in it')
    .requiredOption('-c, --config <file>', 'config file (YAML or JSON)')
    .option('--json', 'print the resolved config as JSON')
    .option('--strict', 'treat warnings (a route that can never match, an admin API beyond loopback) as errors')
    .action((opts: { config: string; json?: boolean; strict?: boolean }) => {
      const loaded = loadConfig(opts.config, io.env);
      const warnings = loaded.proxy ? proxyWarnings(loaded.proxy) : [];
      if (opts.strict && warnings.length > 0) throw new ConfigError(loaded.file, warnings);
      for (const w of warnings) io.stderr.write(`warning: ${w.path}: ${w.message} [${w.code}]\n`);
      io.stdout.write(redact(opts.json ? JSON.stringify(loaded, null, 2) + '\n' : summary(loaded)));
    });
  return config;
}
