import { diffRulesOf, type ProxyConfig } from '../config/proxy-schema.js';
import type { RequestPath } from './request-path.js';

/**
 * Swaps in a new (already validated) config: requests from now on use the new route table, and
 * pairs compared from now on the new diff rules; requests in flight finish on the old table. A
 * backend the new config changed is closed now when idle, else retired: its last request's release
 * (request-path.ts) closes it.
 */
export function reloadConfig(path: RequestPath, config: ProxyConfig): void {
  const previous = path.gen;
  path.gen = path.generation(config, previous);
  path.mirror?.setRules(diffRulesOf(config));
  for (const name of ['legacy', 'new'] as const) {
    const old = previous.backends[name];
    if (old !== path.gen.backends[name]) {
      if (old.inflight <= 0) old.close();
      else path.retired.add(old);
    }
  }
}
