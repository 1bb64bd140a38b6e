import type http from 'node:http';
import type { BackendName } from '../config/proxy-schema.js';
import type { Generation } from './generation.js';
import type { CompiledRoute } from './route-table.js';
import { bucketOf, onNew, randomBucket } from './sticky.js';

/**
 * Which backend serves a request on a route at its live dial: the user's sticky bucket (sticky.ts),
 * by the visitor id just assigned or the user key of the request; a request without one is spread
 * at random.
 */
export function chooseBackend(gen: Generation, route: CompiledRoute, req: http.IncomingMessage, rawUrl: string, assigned?: string): BackendName {
  const pct = route.dial.new;
  if (pct <= 0) return 'legacy';
  if (pct >= 100) return 'new';
  const key = assigned ?? gen.keyOf(req.headers, rawUrl);
  return onNew(pct, key === undefined ? randomBucket() : bucketOf(route.name, key, route.seed)) ? 'new' : 'legacy';
}
