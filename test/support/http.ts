import http from 'node:http';
import type net from 'node:net';

export interface Upstream {
  url: string;
  port: number;
  server: http.Server;
  /** Closes the server and every open connection at once. */
  close: () => Promise<void>;
}

/** A real HTTP server on a free loopback port, for proxy and doctor tests. */
export async function startUpstream(handler: http.RequestListener): Promise<Upstream> {
  const server = http.createServer(handler);
  const sockets = new Set<net.Socket>();
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    server,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

/** A port on which nothing listens (bound, then released). */
export async function deadPort(): Promise<number> {
  const up = await startUpstream(() => undefined);
  await up.close();
  return up.port;
}
