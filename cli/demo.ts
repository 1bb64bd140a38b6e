import { Command, Option } from 'commander';
import { holdMessage, jsonPrinter, runDemo, textPrinter, type DemoSize, type DemoStack } from '../examples/demo/entry.js';
import type { CliIo } from './io.js';

interface DemoFlags {
  exit?: boolean;
  json?: boolean;
  rows: DemoSize;
}

export function demoCommand(io: CliIo): Command {
  return new Command('demo')
    .description('start MariaDB, the emulator, the legacy PHP app, the new service and the proxy, walk the playbook, keep it all up until Ctrl-C')
    .option('--exit', 'stop everything once the playbook is done')
    .option('--json', 'one JSON line per step ({ step, ok, ms, figures }) instead of text')
    .addOption(new Option('--rows <size>', 'seed size: full (≈10k users, 50k messages) or small (a tenth)').choices(['full', 'small']).default('full'))
    .action(async (flags: DemoFlags) => {
      const write = (s: string) => void io.stdout.write(s);
      const printer = flags.json ? jsonPrinter(write) : textPrinter(write);
      // Ctrl-C (or SIGTERM) while the demo holds everything up ends the hold; during the playbook
      // it stops what was started and exits 130 — a half-walked playbook is not worth finishing.
      let stack: DemoStack | undefined;
      let release: (() => void) | undefined;
      const onSignal = () => {
        if (release) return release();
        io.stderr.write('strangler demo: interrupted; stopping everything it started\n');
        void (stack?.stop() ?? Promise.resolve()).finally(() => process.exit(130));
      };
      process.on('SIGINT', onSignal);
      process.on('SIGTERM', onSignal);
      try {
        await runDemo({
          size: flags.rows,
          env: io.env,
          printer,
          started: (s) => (stack = s),
          ...(flags.exit
            ? {}
            : {
                hold: async () => {
                  if (!flags.json) holdMessage(write);
                  await new Promise<void>((resolve) => (release = resolve));
                },
              }),
        });
      } finally {
        process.off('SIGINT', onSignal);
        process.off('SIGTERM', onSignal);
      }
    });
}
