/**
 * The seam between the proxy's mirroring (proxy/) and the comparison of what it mirrored (diffs/).
 * The proxy captures both answers of a mirrored request and hands the pair to a ShadowSink; the sink
 * compares, learns noise, stores and counts. Plain data both ways, so either side is testable alone.
 */
import type { DiffRulesByRoute } from '../config/diff-schema.js';
import type { BackendName } from '../config/proxy-schema.js';

/** Why a response was not captured for comparison. */
export type SkipReason = 'body-too-large' | 'backend-error' | 'timeout' | 'aborted' | 'dropped-concurrency';

export interface CapturedResponse {
  backend: BackendName;
  /** 0 when the backend gave no HTTP answer (see error). */
  status: number;
  /** Lower-case header names; repeated headers joined as node:http does. */
  headers: Record<string, string | string[] | undefined>;
  /** The whole body (decoded from content-encoding is NOT done: raw bytes); undefined when skipped. */
  body: Buffer | undefined;
  skipped?: SkipReason;
  /** A catalogued code (STRANGLER_E_…) or errno when the backend failed. */
  error?: string;
  latencyMs: number;
}

export interface ShadowPair {
  /** ISO time the user's request arrived. */
  time: string;
  route: string;
  method: string;
  /** Path and query as the client sent them. */
  path: string;
  requestId: string;
  /** The answer the user got (from the backend serving the route for this user). */
  primary: CapturedResponse;
  /** The mirrored answer from the other backend. */
  shadow: CapturedResponse;
  /** For a noise sample: a second answer from legacy to the same request. */
  legacyAgain?: CapturedResponse;
}

export interface ShadowSink {
  /**
   * Takes a pair for comparison. Called off the user's path (after the user's response is done);
   * must not throw and must keep its own work and memory bounded.
   */
  accept(pair: ShadowPair): void;
  /** A config reload's diff rules. */
  setRules?(rules: DiffRulesByRoute): void;
  /** Flushes and releases resources (on proxy stop). */
  close(): Promise<void>;
}
