import { Command } from 'commander';
import { VERSION } from '../core/package-info.js';
import { configCommand } from './config-check.js';
import { diffsCommand } from './diffs.js';
import { demoCommand } from './demo.js';
import { doctorCommand } from './doctor.js';
import { proxyCommand } from './proxy.js';
import { readyCommand } from './ready.js';
import { routesCommand } from './routes.js';
import { migrateCommand } from './migrate.js';
import { reportError } from './errors.js';
import { processIo, type CliIo } from './io.js';

/** Builds the whole command tree; nothing here touches the process, so tests run it in-process. */
export function buildProgram(io: CliIo): Command {
  const program = new Command('strangler')
    .description('Strangle a legacy PHP/MySQL backend onto a new Datastore service, one endpoint at a time')
    .version(VERSION, '-V, --version')
    .showSuggestionAfterError(true)
    .exitOverride()
    .configureOutput({
      writeOut: (s) => void io.stdout.write(s),
      writeErr: (s) => void io.stderr.write(s),
      outputError: () => undefined, // reportError prints usage errors as one line
    });
  program.addCommand(configCommand(io));
  program.addCommand(doctorCommand(io));
  program.addCommand(diffsCommand(io));
  program.addCommand(proxyCommand(io));
  program.addCommand(routesCommand(io));
  program.addCommand(readyCommand(io));
  program.addCommand(migrateCommand(io));
  program.addCommand(demoCommand(io));
  // exitOverride and output settings are not inherited by commands added later; apply them to all.
  const apply = (cmd: Command) => {
    cmd.exitOverride().configureOutput(program.configureOutput());
    cmd.commands.forEach(apply);
  };
  program.commands.forEach(apply);
  return program;
}

/** Runs the CLI and returns the exit code; every error is turned into output by reportError. */
export async function runCli(argv: readonly string[], io: CliIo = processIo): Promise<number> {
  const program = buildProgram(io);
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return 0;
  } catch (err) {
    return reportError(err, io);
  }
}
