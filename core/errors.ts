/**
 * The one catalogue of error codes. Every code here is documented in docs/errors.md
 * (message, cause, how to fix); test/unit/core/errors.test.ts keeps the two in step.
 *
 * exit: the CLI exit code — 2 for bad input or config (the user must change something),
 * 1 for a runtime failure (something outside was down or went wrong).
 */
export const CATALOGUE = {
  // --- generic ---------------------------------------------------------------
  STRANGLER_E_USAGE: { exit: 2, title: 'Bad command-line usage' },
  STRANGLER_E_INTERNAL: { exit: 1, title: 'Internal error' },

  // --- config ----------------------------------------------------------------
  STRANGLER_E_CONFIG_NOT_FOUND: { exit: 2, title: 'Config file not found' },
  STRANGLER_E_CONFIG_READ: { exit: 2, title: 'Config file cannot be read' },
  STRANGLER_E_CONFIG_SYNTAX: { exit: 2, title: 'Config file is not valid YAML/JSON' },
  STRANGLER_E_CONFIG_INVALID: { exit: 2, title: 'Config file does not match the schema' },
  STRANGLER_E_CONFIG_ENV: { exit: 2, title: 'Config refers to an unset environment variable' },
  STRANGLER_E_CONFIG_REQUIRED: { exit: 2, title: 'A required config value is missing' },
  STRANGLER_E_CONFIG_TYPE: { exit: 2, title: 'A config value has the wrong type' },
  STRANGLER_E_CONFIG_UNKNOWN_KEY: { exit: 2, title: 'Unknown key in config' },
  STRANGLER_E_CONFIG_RANGE: { exit: 2, title: 'A config number is out of range' },
  STRANGLER_E_CONFIG_VALUE: { exit: 2, title: 'A config value is not one of the allowed values' },
  STRANGLER_E_CONFIG_URL: { exit: 2, title: 'A config URL is malformed' },
  STRANGLER_E_CONFIG_LISTEN: { exit: 2, title: 'A listen address is malformed' },
  STRANGLER_E_CONFIG_ROUTE_PATTERN: { exit: 2, title: 'A route path pattern is invalid' },
  STRANGLER_E_CONFIG_DUPLICATE: { exit: 2, title: 'A name is used twice' },
  STRANGLER_E_CONFIG_TOO_LARGE: { exit: 2, title: 'The config file is larger than strangler reads' },
  STRANGLER_E_CONFIG_UNREACHABLE_ROUTE: { exit: 2, title: 'A route can never match (config check --strict)' },
  STRANGLER_E_CONFIG_ADMIN_EXPOSED: { exit: 2, title: 'The admin API listens beyond loopback (config check --strict)' },
  STRANGLER_E_CONFIG_SECTION_MISSING: { exit: 2, title: 'A config section the command needs is missing' },

  // --- services (doctor, migrators, proxy start) -------------------------------
  STRANGLER_E_MYSQL_UNREACHABLE: { exit: 1, title: 'MySQL cannot be reached' },
  STRANGLER_E_MYSQL_AUTH: { exit: 2, title: 'MySQL refused the credentials' },
  STRANGLER_E_MYSQL_PRIVILEGES: { exit: 2, title: 'MySQL user cannot read information_schema' },
  STRANGLER_E_DATASTORE_UNREACHABLE: { exit: 1, title: 'Datastore cannot be reached' },
  STRANGLER_E_BACKEND_UNREACHABLE: { exit: 1, title: 'An HTTP backend does not answer' },
  STRANGLER_E_DOCTOR_FAILED: { exit: 1, title: 'One or more doctor checks failed' },

  // --- proxy -------------------------------------------------------------------
  STRANGLER_E_PROXY_CONNECT: { exit: 1, title: 'The proxy cannot connect to a backend' },
  STRANGLER_E_PROXY_RESET: { exit: 1, title: 'A backend closed the connection before answering' },
  STRANGLER_E_PROXY_PROTOCOL: { exit: 1, title: 'A backend sent an invalid HTTP response' },
  STRANGLER_E_PROXY_TIMEOUT: { exit: 1, title: 'A backend did not answer within its timeout' },
  STRANGLER_E_PROXY_LISTEN: { exit: 1, title: 'The proxy cannot listen on its address' },
  STRANGLER_E_PROXY_PATH_CLIMB: { exit: 2, title: 'A request path climbs above "/"' },
  STRANGLER_E_PROXY_PATH_CONTROL: { exit: 2, title: 'A request path holds a control character' },
  STRANGLER_E_PROXY_PATH_ESCAPED_SLASH: { exit: 2, title: 'A request path holds an escaped slash or a backslash' },
  STRANGLER_E_PROXY_PATH_MALFORMED: { exit: 2, title: 'A request target is malformed' },
  STRANGLER_E_PROXY_CLIENT_TIMEOUT: { exit: 2, title: 'A client sent its request too slowly' },
  STRANGLER_E_PROXY_POOL_FULL: { exit: 1, title: 'No connection to a backend was free in time' },
  STRANGLER_E_STATE_IO: { exit: 1, title: 'The dial state file cannot be read or written' },
  STRANGLER_E_STATE_CORRUPT: { exit: 2, title: 'The dial state file is not valid' },
  STRANGLER_E_STATE_UNAVAILABLE: { exit: 1, title: 'The shared dial state store (Redis) is unreachable' },
  STRANGLER_E_ADMIN_AUTH: { exit: 2, title: 'The admin API refused the bearer token' },
  STRANGLER_E_ADMIN_TOKEN_MISSING: { exit: 2, title: 'No admin token to call the admin API with' },
  STRANGLER_E_ADMIN_UNREACHABLE: { exit: 1, title: 'The admin API does not answer' },
  STRANGLER_E_ADMIN_NOT_FOUND: { exit: 2, title: 'The admin API has no such endpoint' },
  STRANGLER_E_CONSOLE_CSRF: { exit: 2, title: 'A console change without its CSRF token' },
  STRANGLER_E_CONSOLE_INPUT: { exit: 2, title: 'The console was asked for something it cannot show' },
  STRANGLER_E_ROUTE_UNKNOWN: { exit: 2, title: 'No route has that name' },
  STRANGLER_E_DIAL_INVALID: { exit: 2, title: 'A dial change is invalid' },
  STRANGLER_E_ROLLBACK_NONE: { exit: 2, title: 'The route has no change to roll back' },
  STRANGLER_E_RAMP_INVALID: { exit: 2, title: 'A ramp cannot be started as asked' },
  STRANGLER_E_RAMP_RUNNING: { exit: 2, title: 'The route already has a live ramp' },
  STRANGLER_E_RAMP_NONE: { exit: 2, title: 'The route has no ramp in a state that allows this' },

  // --- diffs -------------------------------------------------------------------
  STRANGLER_E_DIFFS_NOT_READY: { exit: 1, title: 'A diff report found routes that are not ready' },
  STRANGLER_E_NOT_READY: { exit: 1, title: 'The readiness gate found routes that are not ready' },
  STRANGLER_E_READY_VERIFY_REPORT: { exit: 2, title: 'The verify report given to the readiness gate cannot be read' },
  STRANGLER_E_READINESS_UNAVAILABLE: { exit: 1, title: 'The readiness gate cannot be judged: no diff records to read, or a checkpoint store that does not answer' },
  STRANGLER_E_DIFFS_FILE: { exit: 2, title: 'The diff records cannot be read' },
  STRANGLER_E_DIFFS_RECORD_NOT_FOUND: { exit: 2, title: 'No diff record has that id' },
  STRANGLER_E_DIFFS_OUTPUT: { exit: 1, title: 'The report file cannot be written' },

  // --- migrate -----------------------------------------------------------------
  // run / status / verify / sync (engineer B)
  STRANGLER_E_MIGRATE_DEAD_LETTERS: { exit: 1, title: 'Some rows could not be written and went to the dead-letter file' },
  STRANGLER_E_MIGRATE_SHARD_KEY: { exit: 2, title: 'The table cannot be split into shards' },
  STRANGLER_E_MIGRATE_TABLE_NOT_CONFIGURED: { exit: 2, title: 'A --table names a table that is not in migrate.tables' },
  STRANGLER_E_MIGRATE_VERIFY_FAILED: { exit: 1, title: 'Verify found differences between MySQL and Datastore' },
  STRANGLER_E_MIGRATE_NO_UPDATED_AT: { exit: 2, title: 'Sync needs an updatedAt column for the table' },
  STRANGLER_E_MIGRATE_NO_WATERMARK: { exit: 2, title: 'Sync found no backfill to catch up from' },
  STRANGLER_E_MIGRATE_INCOMPLETE: { exit: 1, title: 'The backfill of a table has not finished' },
  STRANGLER_E_MIGRATE_BINLOG_UNUSABLE: { exit: 2, title: 'The binlog cannot be followed' },
  STRANGLER_E_MIGRATE_REVERSE_CONFIG: { exit: 2, title: 'No table can be reversed as configured' },
  STRANGLER_E_MIGRATE_REVERSE_LOOP_GUARD: { exit: 2, title: 'Reverse cannot mark its writes for follow to skip on this server' },
  STRANGLER_E_MIGRATE_NO_BINLOG_START: { exit: 2, title: 'The backfill recorded no binlog position to follow from' },
  STRANGLER_E_MIGRATE_UNKNOWN_TABLE: { exit: 2, title: 'A mapped table does not exist in MySQL' },
  STRANGLER_E_MIGRATE_UNKNOWN_COLUMN: { exit: 2, title: 'A mapped column does not exist in its table' },
  STRANGLER_E_MIGRATE_NO_PRIMARY_KEY: { exit: 2, title: 'A table without a primary key cannot be migrated' },
  STRANGLER_E_MIGRATE_KEY_MISMATCH: { exit: 2, title: 'The configured key is not the primary key' },
  STRANGLER_E_MIGRATE_UNSUPPORTED_TYPE: { exit: 2, title: 'A column type has no Datastore mapping' },
  STRANGLER_E_MIGRATE_TIMEZONE_UNKNOWN: { exit: 2, title: 'A DATETIME column holds local times of an undeclared zone' },
  STRANGLER_E_MIGRATE_PROPERTY_CLASH: { exit: 2, title: 'Two columns map to one property, or a reserved name' },
  STRANGLER_E_MIGRATE_TRANSFORM: { exit: 2, title: 'A transform module cannot be loaded' },
  STRANGLER_E_MIGRATE_ON_CHANGE: { exit: 2, title: 'An onChange module cannot be loaded' },
  STRANGLER_E_MIGRATE_ON_CHANGE_FAILED: { exit: 1, title: 'An onChange hook kept failing: follow stopped before the batch was checkpointed' },

  // --- demo --------------------------------------------------------------------
  STRANGLER_E_DEMO_PREREQUISITE: { exit: 1, title: 'Something the demo needs is not installed' },
  STRANGLER_E_DEMO_STEP: { exit: 1, title: 'A step of the demo did not show what it should' },
} as const satisfies Record<string, { exit: 1 | 2; title: string }>;

export type ErrorCode = keyof typeof CATALOGUE;

export function isErrorCode(code: unknown): code is ErrorCode {
  return typeof code === 'string' && Object.hasOwn(CATALOGUE, code);
}

export interface StranglerErrorOptions {
  cause?: unknown;
  /** One line telling the user what to do about it. */
  hint?: string;
  /** Structured context (table, route, path…) for logs and JSON output. */
  details?: Record<string, unknown>;
}

/** An error the user can act on: a stable code, a readable message, a hint, the cause kept. */
export class StranglerError extends Error {
  readonly code: ErrorCode;
  readonly hint: string | undefined;
  readonly details: Record<string, unknown>;

  constructor(code: ErrorCode, message: string, options: StranglerErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'StranglerError';
    this.code = code;
    this.hint = options.hint;
    this.details = options.details ?? {};
  }

  get exitCode(): 1 | 2 {
    return CATALOGUE[this.code].exit;
  }
}

/** A short description of any thrown value, for wrapping foreign errors with context. */
export function describeCause(err: unknown): string {
  if (err instanceof AggregateError && err.errors.length > 0) return describeCause(err.errors[0]);
  if (err instanceof Error) {
    const code = (err as NodeJS.ErrnoException).code;
    return code && !err.message.includes(code) ? `${code}: ${err.message}` : err.message;
  }
  return String(err);
}
