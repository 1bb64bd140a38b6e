/**
 * Noise, learned per route: a field that differs between two answers of legacy to the same request
 * (a timestamp, a token, a random order) says nothing about the new service. Kept in memory, bounded;
 * the records also carry what each sample taught (noiseLearned), so reports can apply noise learned
 * late to earlier records too.
 */
import { compilePattern, covers, genericPath, splitPointer, type Pattern } from './pointer.js';
import type { Difference } from './types.js';

/** The fields of a route known as noise; "@status"/"@headers/x"/"@body" match only themselves. */
export class NoiseSet {
  private readonly paths = new Set<string>();
  private readonly patterns: Pattern[] = [];

  constructor(private readonly max = 1000) {}

  /** Adds a generic path; returns false when it was known (or the set is full). */
  add(generic: string): boolean {
    if (this.paths.has(generic) || this.paths.size >= this.max) return false;
    this.paths.add(generic);
    if (generic === '' || generic.startsWith('/')) this.patterns.push(compilePattern(generic));
    return true;
  }

  /** The path, or a field above it, is noise ("/items/*" covers "/items/3/price"). */
  covers(path: string): boolean {
    if (path !== '' && !path.startsWith('/')) return this.paths.has(path);
    if (this.patterns.length === 0) return false;
    const segs = splitPointer(genericPath(path));
    return this.patterns.some((p) => covers(p, segs));
  }

  list(): string[] {
    return [...this.paths].sort();
  }

  get size(): number {
    return this.paths.size;
  }
}

export class NoiseBook {
  private readonly routes = new Map<string, NoiseSet>();

  constructor(
    private readonly maxRoutes = 10_000,
    private readonly maxPathsPerRoute = 1000,
  ) {}

  private setFor(route: string): NoiseSet | undefined {
    let set = this.routes.get(route);
    if (!set && this.routes.size < this.maxRoutes) {
      set = new NoiseSet(this.maxPathsPerRoute);
      this.routes.set(route, set);
    }
    return set;
  }

  /** Learns from the differences between two legacy answers; returns their generic paths. */
  learn(route: string, legacyVsLegacy: readonly Difference[]): string[] {
    const generic = [...new Set(legacyVsLegacy.map((d) => genericPath(d.path)))];
    const set = this.setFor(route);
    if (set) for (const g of generic) set.add(g);
    return generic;
  }

  /** Marks the differences known as noise for this route; returns how many remain real. */
  classify(route: string, differences: Difference[]): number {
    const set = this.routes.get(route);
    let real = 0;
    for (const d of differences) {
      if (set?.covers(d.path)) d.noise = true;
      else real++;
    }
    return real;
  }

  fields(route: string): string[] {
    return this.routes.get(route)?.list() ?? [];
  }
}
