/**
 * Turns a loaded config into the diff side's adapters. The proxy's start command calls
 * createDiffSinkFromConfig and hands the sink to the proxy; the report commands read records with
 * diffFilesFromConfig.
 */
import type { Registry } from 'prom-client';
import type { DiffRulesByRoute } from '../config/diff-schema.js';
import { requireSection, resolveFromConfig } from '../config/load.js';
import { diffRulesOf } from '../config/proxy-schema.js';
import type { Config } from '../config/schema.js';
import { StranglerError } from '../core/errors.js';
import { createDiffSink, type DiffSink } from '../diffs/sink.js';
import type { DiffStore } from '../diffs/store-contract.js';
import { createFileDiffStore } from '../diffs/store-file.js';
import { createMemoryDiffStore } from '../diffs/store-memory.js';
import { createRedisDiffStore } from '../diffs/store-redis.js';

export function openDiffStore(config: Config, onError?: (err: unknown) => void): DiffStore {
  const d = requireSection(config, 'proxy').diffs;
  if (d.store === 'memory') return createMemoryDiffStore({ redact: d.redact });
  if (d.store === 'redis') return createRedisDiffStore({ url: d.url!, key: d.key, maxLen: d.maxLen, redact: d.redact, ...(onError ? { onError } : {}) });
  return createFileDiffStore({ path: resolveFromConfig(config, d.path), maxFileBytes: d.maxFileBytes, maxFiles: d.maxFiles, redact: d.redact, ...(onError ? { onError } : {}) });
}

export interface DiffSinkWiring {
  /** The proxy's metrics registry: compared/matched/mismatched counters per route go there. */
  registry?: Registry;
  /** A store or write failure, reported once per kind (log it; the sink never throws). */
  onError?: (err: unknown) => void;
  /** The store to write to, when the caller keeps a handle on it (to flush before reading); default: openDiffStore(config). */
  store?: DiffStore;
}

/** The ShadowSink for the proxy: rules per route from the config, records to proxy.diffs. */
export function createDiffSinkFromConfig(config: Config, wiring: DiffSinkWiring = {}): DiffSink {
  let rules: DiffRulesByRoute = diffRulesOf(requireSection(config, 'proxy'));
  const patterns = new Map(requireSection(config, 'proxy').routes.map((r) => [r.name, r.match.path]));
  const sink = createDiffSink({
    rulesFor: (route) => rules[route],
    patternFor: (route) => patterns.get(route),
    store: wiring.store ?? openDiffStore(config, wiring.onError),
    keepBodyBytes: requireSection(config, 'proxy').diffs.keepBodyBytes,
    ...(wiring.registry ? { metrics: wiring.registry } : {}),
    ...(wiring.onError ? { onError: wiring.onError } : {}),
  });
  return Object.assign(sink, {
    setRules(next: DiffRulesByRoute) {
      rules = next;
    },
  });
}

/** The JSONL file the config's proxy writes diff records to, and how many rotated files it keeps. */
export function diffFileFromConfig(config: Config): { path: string; maxFiles: number } {
  const d = requireSection(config, 'proxy').diffs;
  if (d.store !== 'file') {
    throw new StranglerError('STRANGLER_E_DIFFS_FILE', `${config.file}: proxy.diffs.store is "${d.store}": no records on disk`, {
      hint: 'set proxy.diffs.store: file, or pass --file PATH',
    });
  }
  return { path: resolveFromConfig(config, d.path), maxFiles: d.maxFiles };
}
