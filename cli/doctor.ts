import { Command } from 'commander';
import { StranglerError } from '../core/errors.js';
import { redact } from '../core/redact.js';
import { runDoctor, type CheckResult } from '../wiring/doctor.js';
import type { CliIo } from './io.js';

function render(results: CheckResult[]): string {
  const width = Math.max(...results.map((r) => r.name.length));
  return results
    .map((r) => {
      const head = `${r.ok ? 'PASS' : 'FAIL'}  ${r.name.padEnd(width)}  ${r.detail.split('\n').join('\n        ')}  (${r.ms} ms)`;
      return r.ok || !r.hint ? head : `${head}\n        hint: ${r.hint}`;
    })
    .join('\n') + '\n';
}

export function doctorCommand(io: CliIo): Command {
  return new Command('doctor')
    .description('check the config, MySQL, Datastore and both HTTP backends; each check prints pass/fail with a hint')
    .requiredOption('-c, --config <file>', 'config file (YAML or JSON)')
    .option('--json', 'print the results as JSON')
    .action(async (opts: { config: string; json?: boolean }) => {
      const results = await runDoctor(opts.config, io.env);
      const failed = results.filter((r) => !r.ok);
      io.stdout.write(redact(opts.json ? JSON.stringify({ ok: failed.length === 0, checks: results }, null, 2) + '\n' : render(results)));
      if (failed.length > 0) {
        throw new StranglerError('STRANGLER_E_DOCTOR_FAILED', `${failed.length} of ${results.length} checks failed: ${failed.map((f) => f.name).join(', ')}`);
      }
    });
}
