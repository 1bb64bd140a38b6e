import { Datastore } from '@google-cloud/datastore';
import type { MigrateConfig } from '../../config/migrate-schema.js';
import { StranglerError, describeCause } from '../../core/errors.js';

/**
 * A Datastore client for the configured target. DATASTORE_EMULATOR_HOST, when set, is honoured by
 * the client library itself; the same code runs against a real project.
 */
export function createDatastore(target: MigrateConfig['target']): Datastore {
  // Against the emulator there are no credentials to find; without this google-auth-library probes
  // the GCE metadata server at start and prints a MetadataLookupWarning into the CLI's output.
  if (process.env.DATASTORE_EMULATOR_HOST) process.env.METADATA_SERVER_DETECTION ??= 'none';
  return new Datastore({
    projectId: target.projectId,
    namespace: target.namespace || undefined,
    databaseId: target.databaseId,
  });
}

/** Where Datastore calls go, for messages: the emulator's address or the project. */
export function datastoreWhere(target: MigrateConfig['target']): string {
  const emulator = process.env.DATASTORE_EMULATOR_HOST;
  return emulator ? `emulator at ${emulator} (project ${target.projectId})` : `project ${target.projectId}`;
}

/**
 * Fails with one clear error when there are no Google credentials (against a real project). Without
 * this check the first call fails inside the client library, which also leaves a rejected promise
 * per RPC method unhandled: the CLI printed its error, then crashed with a stack trace.
 */
export async function checkCredentials(ds: Datastore, target: MigrateConfig['target']): Promise<void> {
  if (process.env.DATASTORE_EMULATOR_HOST) return;
  try {
    await ds.auth.getClient();
  } catch (err) {
    throw new StranglerError('STRANGLER_E_DATASTORE_UNREACHABLE', `Datastore (${datastoreWhere(target)}): no Google credentials: ${describeCause(err).split('. ')[0]}`, {
      cause: err,
      hint: 'set GOOGLE_APPLICATION_CREDENTIALS to a service-account key file, run `gcloud auth application-default login`, or set DATASTORE_EMULATOR_HOST',
    });
  }
}

/**
 * Closes the client's gRPC channel, so that a CLI command exits without waiting for it to idle out.
 * The library has no public close(); its client lives in the internal clients_ map, read here only.
 */
export async function closeDatastore(ds: Datastore): Promise<void> {
  await Promise.resolve(ds.clients_.get('DatastoreClient')?.close?.()).catch(() => undefined);
}
