/**
 * The diff side's Prometheus counters, on the registry the caller passes (the proxy's /metrics one).
 * The proxy counts what it dropped or skipped before a pair reached the sink; these count what the
 * sink did with the pairs it got.
 */
import { Counter, type Registry } from 'prom-client';

export interface DiffMetrics {
  compared: Counter<'route'>;
  matched: Counter<'route'>;
  mismatched: Counter<'route'>;
  /** Pairs the sink could not take (its queue was full) or store (the store's bound). */
  dropped: Counter<'route' | 'reason'>;
}

export function createDiffMetrics(registry: Registry): DiffMetrics {
  const registers = [registry];
  return {
    compared: new Counter({ name: 'strangler_shadow_compared_total', help: 'Mirrored pairs compared, per route', labelNames: ['route'], registers }),
    matched: new Counter({ name: 'strangler_shadow_matched_total', help: 'Compared pairs with no difference but noise, per route', labelNames: ['route'], registers }),
    mismatched: new Counter({ name: 'strangler_shadow_mismatched_total', help: 'Compared pairs with at least one real difference, per route', labelNames: ['route'], registers }),
    dropped: new Counter({
      name: 'strangler_diffs_dropped_total',
      help: 'Pairs not compared or records not stored by the diff sink, per route and reason (queue-full, store-full)',
      labelNames: ['route', 'reason'],
      registers,
    }),
  };
}
