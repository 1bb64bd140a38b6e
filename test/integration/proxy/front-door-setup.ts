import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort } from '../../../local-servers/free-port.js';
import { spawnProxy, type ProxyProcess } from './setup.js';

export interface SpawnedProxy extends ProxyProcess {
  url: string;
  admin: string;
  stop: () => Promise<void>;
}

/**
 * `strangler proxy start` as a real process on a YAML config: `body` is the config under `proxy:`
 * after listen/admin/backends/state (indented by 2), backends get `backendExtra` inside their maps.
 */
export async function spawnFrontDoor(legacy: string, next: string, body: string, backendExtra = ''): Promise<SpawnedProxy> {
  const [port, adminPort] = [await freePort(), await freePort()];
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'strangler-front-door-'));
  const file = path.join(dir, 'strangler.yaml');
  const extra = backendExtra ? `, ${backendExtra}` : '';
  fs.writeFileSync(
    file,
    `proxy:
  listen: 127.0.0.1:${port}
  admin: { listen: 127.0.0.1:${adminPort}, token: "\${STRANGLER_ADMIN_TOKEN}" }
  backends:
    legacy: { url: ${legacy}, timeoutMs: 5000${extra} }
    new: { url: ${next}, timeoutMs: 5000${extra} }
  state: { store: memory }
${body}
`,
  );
  // A generous start: these tests assert behaviour, and must pass on a busy machine.
  const proc = await spawnProxy(file, [], {}, 150_000);
  return {
    ...proc,
    url: `http://127.0.0.1:${port}`,
    admin: `http://127.0.0.1:${adminPort}`,
    stop: async () => {
      if (proc.child.exitCode === null) {
        proc.child.kill('SIGKILL');
        await proc.exited;
      }
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** An answer read off a raw socket: status line, headers (lower-case names) and body. */
export interface RawAnswer {
  status: number;
  headers: Record<string, string>;
  body: string;
}

export function parseRaw(raw: string): RawAnswer {
  const end = raw.indexOf('\r\n\r\n');
  const head = raw.slice(0, end === -1 ? raw.length : end).split('\r\n');
  const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(head[0] ?? '')?.[1] ?? 0);
  const headers: Record<string, string> = {};
  for (const line of head.slice(1)) {
    const i = line.indexOf(':');
    if (i > 0) headers[line.slice(0, i).trim().toLowerCase()] = line.slice(i + 1).trim();
  }
  return { status, headers, body: end === -1 ? '' : raw.slice(end + 4) };
}
