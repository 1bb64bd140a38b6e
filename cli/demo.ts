import { Command, Option } from 'commander';
import { runDemo, type DemoSize } from '../examples/demo/playbook.js';
import { holdMessage, jsonPrinter, textPrinter } from '../examples/demo/printer.js';
import type { CliIo } from './io.js';

interface DemoFlags {
  exit?: boolean;
  json?: boolean;
  rows: DemoSize;
}

/** Resolves on the first SIGINT or SIGTERM (Ctrl-C), leaving the handlers as they were. */
function untilSignal(): Promise<void> {
  return new Promise((resolve) => {
    const stop = () => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolve();
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
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
      // Ctrl-C during the playbook must still stop what was started: the handler is installed now.
      const signalled = untilSignal();
      await runDemo({
        size: flags.rows,
        env: io.env,
        printer,
        ...(flags.exit
          ? {}
          : {
              hold: async () => {
                if (!flags.json) holdMessage(write);
                await signalled;
              },
            }),
      });
    });
}
