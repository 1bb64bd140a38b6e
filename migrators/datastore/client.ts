import { Datastore } from '@google-cloud/datastore';
import type { MigrateConfig } from '../../config/migrate-schema.js';

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
