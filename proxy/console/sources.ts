import type { DiffRecord } from '../../diffs/types.js';
import type { StreamMark } from '../../migrators/checkpoint/contract.js';
import type { MigrationsView } from './migrations-view.js';

/**
 * What the console reads besides the proxy itself, built by the CLI from the config (only cli/
 * constructs adapters): the diff records the proxy writes, and the migrators' checkpoint store.
 * Each is either there or comes with a sentence saying why not, which the page shows as it is.
 */
export interface ConsoleSources {
  diffs: { records: () => AsyncIterable<DiffRecord>; label: string } | { unavailable: string };
  /** `streamMark` reads a long-running stream's position (follow's lag, for the readiness gate). */
  migrations: { read: () => Promise<MigrationsView>; streamMark?: (stream: string) => Promise<StreamMark | undefined>; label?: string } | { unavailable: string };
}

export const NO_SOURCES: ConsoleSources = {
  diffs: { unavailable: 'this proxy was started without a diff store the console can read' },
  migrations: { unavailable: 'this proxy was started without a migrate section: no checkpoint store to read' },
};
