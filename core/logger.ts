import { pino, type Logger, type DestinationStream } from 'pino';
import { redact } from './redact.js';

export type { Logger };

/** Field names whose values are always masked, wherever they sit in a logged object. */
const SECRET_FIELDS = ['password', 'token', 'authorization', 'secret', 'cookie'];

export interface LoggerOptions {
  level?: string;
  /** Extra field names to mask (from config). */
  redactFields?: readonly string[];
  /** Where lines go; stderr by default so that stdout stays for command output. */
  destination?: { write(line: string): unknown };
}

/**
 * A pino logger whose every line passes through redact(): URL passwords and registered secret
 * values are masked in messages and in nested fields alike, and named fields are censored.
 */
export function createLogger(options: LoggerOptions = {}): Logger {
  const target = options.destination ?? process.stderr;
  const stream: DestinationStream = { write: (line: string) => void target.write(redact(line)) };
  const fields = [...SECRET_FIELDS, ...(options.redactFields ?? [])];
  const paths = fields.flatMap((f) => [f, `*.${f}`, `*.*.${f}`, `headers["${f}"]`, `*.headers["${f}"]`]);
  return pino(
    {
      level: options.level ?? process.env.STRANGLER_LOG_LEVEL ?? 'info',
      base: undefined,
      redact: { paths, censor: '[redacted]' },
    },
    stream,
  );
}
