import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort, waitFor } from './free-port.js';
import { startProcess } from './process.js';

export interface DatastoreEmulator {
  /** host:port, the value for DATASTORE_EMULATOR_HOST. */
  host: string;
  /** The emulator's process id (the leader of its process group), when this process started it. */
  pid?: number;
  stop: () => Promise<void>;
  /** Where the emulator logs (empty for an external one). */
  logFile: string;
}

export interface EmulatorOptions {
  /** Listen on this port instead of a free one: a test restarts the emulator where clients expect it. */
  port?: number;
}

/**
 * Uses DATASTORE_EMULATOR_HOST when set; otherwise starts the Google Cloud SDK's Firestore
 * emulator in Datastore mode on a free port (it supports count queries, which the older
 * `gcloud beta emulators datastore` lacks) and waits for its health endpoint.
 */
export async function startDatastoreEmulator(env: NodeJS.ProcessEnv = process.env, options: EmulatorOptions = {}): Promise<DatastoreEmulator> {
  if (env.DATASTORE_EMULATOR_HOST) return { host: env.DATASTORE_EMULATOR_HOST, stop: async () => undefined, logFile: '' };
  const gcloud = ['/usr/bin/gcloud', '/usr/local/bin/gcloud', '/usr/lib/google-cloud-sdk/bin/gcloud'].find((p) => existsSync(p));
  if (!gcloud) {
    throw new Error(
      'gcloud not found: install the Google Cloud SDK with its Firestore emulator ' +
        '(apt-get install google-cloud-cli google-cloud-cli-firestore-emulator), or set DATASTORE_EMULATOR_HOST=host:port of a running emulator.',
    );
  }
  const dir = mkdtempSync(path.join(os.tmpdir(), 'strangler-emulator-'));
  const port = options.port ?? (await freePort());
  const host = `127.0.0.1:${port}`;
  const logFile = path.join(dir, 'emulator.log');
  const started = startProcess(gcloud, ['emulators', 'firestore', 'start', '--database-mode=datastore-mode', `--host-port=${host}`, '--quiet'], logFile, {
    ...process.env,
    CLOUDSDK_CORE_DISABLE_PROMPTS: '1',
  });
  try {
    await waitFor(`Firestore emulator on ${host} (log: ${logFile})`, async () => (await fetch(`http://${host}/`)).ok, 60_000, started.exited);
  } catch (err) {
    await started.stop();
    throw err;
  }
  return {
    host,
    pid: started.child.pid,
    logFile,
    stop: async () => {
      await started.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
