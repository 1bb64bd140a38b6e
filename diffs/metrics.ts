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

/** A counter on the registry, reused when a sink was made before on it (a restart with the same registry). */
function counter<L extends string>(registry: Registry, name: string, help: string, labelNames: L[]): Counter<L> {
  const existing = registry.getSingleMetric(name);
  if (existing instanceof Counter) return existing as Counter<L>;
  return new Counter({ name, help, labelNames, registers: [registry] });
}

export function createDiffMetrics(registry: Registry): DiffMetrics {
  return {
    compared: counter(registry, 'strangler_shadow_compared_total', 'Mirrored pairs compared, per route', ['route']),
    matched: counter(registry, 'strangler_shadow_matched_total', 'Compared pairs with no difference but noise, per route', ['route']),
    mismatched: counter(registry, 'strangler_shadow_mismatched_total', 'Compared pairs with at least one real difference, per route', ['route']),
    dropped: counter(registry, 'strangler_diffs_dropped_total', 'Pairs not compared or records not stored by the diff sink, per route and reason (queue-full, store-full)', ['route', 'reason']),
  };
}
