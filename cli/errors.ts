import { CommanderError } from 'commander';
import { StranglerError, describeCause } from '../core/errors.js';
import { redact } from '../core/redact.js';
import type { CliIo } from './io.js';

/**
 * The one place where a thrown error becomes what the user sees and an exit code:
 * a catalogued error prints its message (one line, or one line per config issue) and hint,
 * anything else is an internal error with its cause. 2 = fix your input, 1 = runtime failure.
 */
export function reportError(err: unknown, io: CliIo): number {
  if (err instanceof CommanderError) {
    if (err.exitCode === 0) return 0; // --help, --version
    const message = err.message.replace(/^error: /, '');
    io.stderr.write(redact(`strangler: ${message} [STRANGLER_E_USAGE]\n  hint: run with --help to see the usage\n`));
    return 2;
  }
  if (err instanceof StranglerError) {
    const hint = err.hint ? `\n  hint: ${err.hint}` : '';
    const text = err.message.includes('\n') ? err.message : `strangler: ${err.message} [${err.code}]`;
    io.stderr.write(redact(`${text}${hint}\n`));
    return err.exitCode;
  }
  io.stderr.write(redact(`strangler: internal error: ${describeCause(err)} [STRANGLER_E_INTERNAL]\n`));
  if (io.env.STRANGLER_DEBUG && err instanceof Error && err.stack) io.stderr.write(redact(err.stack) + '\n');
  return 1;
}
