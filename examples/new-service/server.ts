import http from 'node:http';
import type net from 'node:net';
import { Datastore } from '@google-cloud/datastore';
import { createNewService, type NewServiceOptions } from './app.js';

export interface NewServiceHandle {
  url: string;
  port: number;
  datastore: Datastore;
  /** Closes the listener and every open connection. */
  stop: () => Promise<void>;
}

export interface StartNewServiceOptions extends Partial<Omit<NewServiceOptions, 'datastore'>> {
  /** A client to use, or the target to build one for. */
  datastore?: Datastore;
  projectId?: string;
  namespace?: string;
  databaseId?: string;
  host?: string;
  /** 0 (the default) picks a free port. */
  port?: number;
}

/**
 * Starts the new service on host:port. DATASTORE_EMULATOR_HOST, when set, is honoured by the
 * Datastore client itself.
 */
export async function startNewService(options: StartNewServiceOptions): Promise<NewServiceHandle> {
  const datastore =
    options.datastore ??
    new Datastore({ projectId: options.projectId, namespace: options.namespace || undefined, databaseId: options.databaseId });
  const app = createNewService({ ...options, datastore });
  const server = http.createServer(app);
  const sockets = new Set<net.Socket>();
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => resolve());
  });
  const { port } = server.address() as net.AddressInfo;
  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${port}`,
    port,
    datastore,
    stop: async () => {
      await new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      });
    },
  };
}
