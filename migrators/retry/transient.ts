/**
 * Which failures are worth retrying. gRPC status codes come from the Datastore client, errno-style
 * codes from sockets and mysql2. Everything else (INVALID_ARGUMENT, PERMISSION_DENIED, SQL errors)
 * would fail the same way again.
 */
const GRPC_TRANSIENT = new Set([
  4, // DEADLINE_EXCEEDED
  8, // RESOURCE_EXHAUSTED
  10, // ABORTED
  13, // INTERNAL: the emulator answers it while shutting down
  14, // UNAVAILABLE
]);

const CONNECTION_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EAI_AGAIN',
  'PROTOCOL_CONNECTION_LOST',
  'PROTOCOL_SEQUENCE_TIMEOUT',
  'ER_SERVER_SHUTDOWN',
  'ER_CON_COUNT_ERROR',
  'ER_LOCK_DEADLOCK',
  'ER_LOCK_WAIT_TIMEOUT',
  'ER_QUERY_INTERRUPTED',
  'ER_CONNECTION_KILLED',
  'ER_CLIENT_INTERACTION_TIMEOUT',
]);

export const GRPC_NOT_FOUND = 5;
export const GRPC_ALREADY_EXISTS = 6;
export const GRPC_INVALID_ARGUMENT = 3;

export function grpcCode(err: unknown): number | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'number' ? code : undefined;
}

export function isTransientDatastoreError(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  if (typeof code === 'number') return GRPC_TRANSIENT.has(code);
  if (typeof code === 'string') return CONNECTION_CODES.has(code);
  return false;
}

export function isTransientMysqlError(err: unknown): boolean {
  const e = err as { code?: unknown; fatal?: boolean } | null;
  if (typeof e?.code === 'string' && CONNECTION_CODES.has(e.code)) return true;
  // mysql2 marks errors that killed the connection as fatal; a pool hands out a fresh one next time.
  return e?.fatal === true && e.code !== 'ER_ACCESS_DENIED_ERROR' && e.code !== 'ER_BAD_DB_ERROR';
}
