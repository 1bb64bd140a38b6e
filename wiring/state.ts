/** Turns a loaded config's proxy.state into the dial store the proxy is handed. */
import { resolveFromConfig } from '../config/load.js';
import type { ProxyConfig } from '../config/proxy-schema.js';
import type { Config } from '../config/schema.js';
import type { Logger } from '../core/logger.js';
import type { StateStore } from '../proxy/state/contract.js';
import { FileStateStore } from '../proxy/state/file-store.js';
import { MemoryStateStore } from '../proxy/state/memory-store.js';
import { RedisStateStore } from '../proxy/state/redis-store.js';

export function openStateStore(config: Config, proxy: ProxyConfig, logger?: Logger): StateStore {
  const s = proxy.state;
  if (s.store === 'memory') return new MemoryStateStore();
  if (s.store === 'redis') {
    return new RedisStateStore({
      url: s.url!,
      key: s.key,
      onHealth: (h) =>
        h.reachable
          ? logger?.info({ store: 'redis' }, 'state store reachable again: dials resynced, changes accepted')
          : logger?.error({ store: 'redis', since: h.since }, 'state store unreachable: serving the last known dials, changes refused'),
    });
  }
  return new FileStateStore(resolveFromConfig(config, s.path));
}
