/**
 * The ShadowSink the proxy is handed: takes mirrored pairs, and later — off the user's path, in small
 * time slices — compares them, learns noise from legacy-twice samples, stores a record per pair and
 * counts per route. Its queue is bounded in bytes; beyond it a pair is dropped and counted.
 */
import type { Registry } from 'prom-client';
import type { DiffRules } from '../config/diff-schema.js';
import type { CapturedResponse, ShadowPair, ShadowSink } from '../proxy/shadow-contract.js';
import { compareAnswers } from './engine.js';
import { createDiffMetrics, type DiffMetrics } from './metrics.js';
import { NoiseRates, observationOf } from './noise-rates.js';
import { genericPath } from './pointer.js';
import { DEFAULT_KEEP_BODY_BYTES, keptAnswers } from './kept-answers.js';
import { buildRecord, legacyAndNew, type Learned } from './record.js';
import { writeSuspect } from './write-suspect.js';
import { requestTemplate } from '../core/path-template.js';
import { compileRules } from './rules.js';
import type { DiffStore } from './store-contract.js';
import type { DiffRecord } from './types.js';
import { newRecordId } from './record-id.js';

export interface DiffSinkOptions {
  /** The diff rules of a route (undefined: the defaults). */
  rulesFor: (route: string) => DiffRules | undefined;
  /** A route's path pattern: a route without a wildcard is one template for noise (undefined: per path). */
  patternFor?: (route: string) => string | undefined;
  store: DiffStore;
  /** Counters go on this registry (omit in tests that do not read them). */
  metrics?: Registry;
  /** Bytes of captured bodies waiting to be compared, at most (default 32 MiB). */
  maxQueuedBytes?: number;
  /** Longest slice of comparing before yielding to the event loop (default 5 ms). */
  sliceMs?: number;
  /** Bytes of each body a mismatched pair keeps whole (cut past it; 0: no bodies). Default 64 KiB. */
  keepBodyBytes?: number;
  /** Called with each stored record (tests, live views). */
  onRecord?: (record: DiffRecord) => void;
  onError?: (err: unknown) => void;
  newId?: () => string;
}

export interface DiffSink extends ShadowSink {
  /** Resolves when every pair accepted so far is compared and stored. */
  idle(): Promise<void>;
  /** The noise rates learnt so far (the same counts a report derives from the stored records). */
  noise: NoiseRates;
  stats(): { queued: number; compared: number; dropped: number; failed: number };
}

/** Captures without a comparable answer: the proxy gave up on them for a reason of its own. */
const UNCOMPARABLE = new Set(['body-too-large', 'aborted', 'dropped-concurrency']);

function comparable(r: CapturedResponse | undefined): r is CapturedResponse {
  return r !== undefined && !(r.skipped !== undefined && UNCOMPARABLE.has(r.skipped));
}

function pairBytes(p: ShadowPair): number {
  return 512 + (p.primary.body?.length ?? 0) + (p.shadow.body?.length ?? 0) + (p.legacyAgain?.body?.length ?? 0);
}

export function createDiffSink(options: DiffSinkOptions): DiffSink {
  const metrics: DiffMetrics | undefined = options.metrics ? createDiffMetrics(options.metrics) : undefined;
  const maxBytes = options.maxQueuedBytes ?? 32 * 1024 * 1024;
  const sliceMs = options.sliceMs ?? 5;
  const newId = options.newId ?? newRecordId;
  const keepBodyBytes = options.keepBodyBytes ?? DEFAULT_KEEP_BODY_BYTES;
  const noise = new NoiseRates();
  const queue: ShadowPair[] = [];
  let head = 0;
  let queuedBytes = 0;
  let scheduled: NodeJS.Immediate | undefined;
  let waiters: (() => void)[] = [];
  const counts = { compared: 0, dropped: 0, failed: 0 };
  let closed = false;

  function comparePair(pair: ShadowPair): void {
    const { legacy, next } = legacyAndNew(pair);
    const rules = compileRules(options.rulesFor(pair.route) ?? undefined);
    const template = requestTemplate(options.patternFor?.(pair.route), pair.path);
    let learned: Learned | undefined;
    if (comparable(pair.legacyAgain) && pair.legacyAgain.status !== 0) {
      const twice = compareAnswers(legacy, pair.legacyAgain, rules).differences;
      learned = { fields: [...new Set(twice.map((d) => genericPath(d.path)))] };
      const write = writeSuspect(twice);
      if (write !== undefined) learned.writeSuspect = write;
    }
    const outcome = compareAnswers(legacy, next, rules);
    const record = buildRecord(newId(), pair, outcome, template, learned);
    // The record counts in the rates before it is judged by them, as it will in a report.
    noise.add(pair.route, observationOf(record));
    let real = 0;
    for (const d of record.differences) {
      if (noise.isNoise(pair.route, template, genericPath(d.path))) d.noise = true;
      else real++;
    }
    record.match = real === 0;
    if (!record.match && keepBodyBytes > 0) record.answers = keptAnswers(legacy, next, outcome.json, keepBodyBytes);
    counts.compared++;
    metrics?.compared.inc({ route: pair.route });
    (real === 0 ? metrics?.matched : metrics?.mismatched)?.inc({ route: pair.route });
    if (!options.store.append(record)) {
      counts.dropped++;
      metrics?.dropped.inc({ route: pair.route, reason: 'store-full' });
    }
    options.onRecord?.(record);
  }

  function run(): void {
    scheduled = undefined;
    const until = performance.now() + sliceMs;
    while (head < queue.length && performance.now() < until) {
      const pair = queue[head]!;
      queue[head++] = undefined as unknown as ShadowPair; // let the bodies go
      queuedBytes -= pairBytes(pair);
      try {
        comparePair(pair);
      } catch (err) {
        counts.failed++;
        options.onError?.(err);
      }
    }
    if (head >= queue.length) {
      queue.length = 0;
      head = 0;
      const done = waiters;
      waiters = [];
      for (const w of done) w();
    } else {
      if (head > 1024) {
        queue.splice(0, head);
        head = 0;
      }
      scheduled = setImmediate(run);
    }
  }

  function idle(): Promise<void> {
    if (head >= queue.length && !scheduled) return Promise.resolve();
    return new Promise<void>((resolve) => waiters.push(resolve));
  }

  return {
    accept(pair) {
      try {
        if (closed || !comparable(pair.primary) || !comparable(pair.shadow)) return;
        const bytes = pairBytes(pair);
        if (queuedBytes + bytes > maxBytes) {
          counts.dropped++;
          metrics?.dropped.inc({ route: pair.route, reason: 'queue-full' });
          return;
        }
        queue.push(pair);
        queuedBytes += bytes;
        scheduled ??= setImmediate(run);
      } catch (err) {
        options.onError?.(err);
      }
    },
    idle,
    async close() {
      closed = true;
      await idle();
      await options.store.close();
    },
    noise,
    stats: () => ({ queued: queue.length - head, ...counts }),
  };
}
