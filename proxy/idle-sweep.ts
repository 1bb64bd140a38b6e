import type http from 'node:http';
import { Slots } from './slots.js';

const SEEN = Symbol('strangler.idle.bytes');
const SINCE = Symbol('strangler.idle.since');
const HANDLE = Symbol('strangler.idle.handle');
type Watched = http.ClientRequest & { [SEEN]?: number; [SINCE]?: number; [HANDLE]?: number };

/**
 * Fails a request still queued in its agent for a socket. node only reports a queued request's
 * destroy() once a socket frees up (onSocket then emits the error), which is exactly what does not
 * happen while the pool stays full: so it leaves the agent's queue here and its error is emitted now.
 */
function failQueued(out: Watched): void {
  const queues = (out as http.ClientRequest & { agent?: { requests: Record<string, http.ClientRequest[]> } }).agent?.requests ?? {};
  for (const [name, queue] of Object.entries(queues)) {
    const i = queue.indexOf(out);
    if (i !== -1) queue.splice(i, 1);
    // As node's agent does: an empty queue is no queue (its removeSocket reads [0] of any listed one).
    if (queue.length === 0) delete queues[name];
  }
  const err = Object.assign(new Error('no pooled connection was free in time'), { code: 'EPOOLFULL' });
  out.destroy(err);
  out.emit('error', err);
  out.emit('close');
}

/**
 * Fails forwarded requests whose backend connection has been silent (nothing read, nothing written)
 * for timeoutMs, with an ETIMEDOUT error. One interval timer per backend instead of the agent's
 * socket timeout, which costs a timer object and four listener changes on every request
 * (measured: ~3 µs of CPU per request under the bench's load). The price is precision: a request
 * fails between timeoutMs and timeoutMs + 2 ticks after its last byte (a tick is timeoutMs / 4,
 * at most 1 s). On the hot path a request is added to a set and deleted when it is done: holding
 * every request until the next sweep instead kept them alive past a young-generation GC, which cost
 * more than the timers saved. The set is a Slots table, not a Set (see proxy/slots.ts). A request
 * still queued for a socket after poolWaitMs fails with EPOOLFULL (a 503 with Retry-After).
 */
export class IdleSweep {
  private readonly watched = new Slots<Watched>();
  private readonly timer: NodeJS.Timeout;

  /**
   * poolWaitMs: how long a request may wait for a pooled socket (all maxSockets busy) before it
   * fails with EPOOLFULL; the wait counts from watch(), so it is part of the request's time.
   */
  constructor(
    readonly timeoutMs: number,
    readonly poolWaitMs: number = timeoutMs,
  ) {
    const tick = Math.max(10, Math.min(1000, Math.floor(Math.min(timeoutMs, poolWaitMs) / 4)));
    this.timer = setInterval(() => this.sweep(), tick).unref();
  }

  watch(out: Watched): void {
    if (out[HANDLE] === undefined) {
      out[HANDLE] = this.watched.add(out);
      out[SEEN] = -1;
      out[SINCE] = performance.now();
    }
  }

  unwatch(out: Watched): void {
    const handle = out[HANDLE];
    if (handle === undefined) return;
    this.watched.delete(handle);
    out[HANDLE] = undefined;
  }

  private sweep(): void {
    const now = performance.now();
    for (const out of this.watched) {
      // Ended (node marks a request destroyed once its socket returns to the pool), aborted or failed.
      if (out.destroyed) continue;
      const socket = out.socket;
      if (!socket) {
        // Still waiting for a pooled socket (every one busy): the backend has not been asked yet.
        if (now - out[SINCE]! >= this.poolWaitMs) failQueued(out);
        continue;
      }
      const bytes = socket.bytesRead + socket.bytesWritten;
      if (bytes !== out[SEEN]) {
        out[SEEN] = bytes;
        out[SINCE] = now;
      } else if (now - out[SINCE]! >= this.timeoutMs) {
        out.destroy(Object.assign(new Error('the backend sent nothing within its timeout'), { code: 'ETIMEDOUT' }));
      }
    }
  }

  close(): void {
    clearInterval(this.timer);
    this.watched.clear();
  }
}
