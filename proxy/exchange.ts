import type http from 'node:http';
import type { BackendName } from '../config/proxy-schema.js';
import type { Generation } from './generation.js';
import type { RouteStats } from './metrics.js';
import type { CompiledRoute } from './route-table.js';
import type { MirrorJob } from './shadow/mirror.js';

/** Who an exchange's shared listeners report to (the request path, request-path.ts). */
export interface ExchangeOwner {
  /** The client's response closed (finished or not). */
  closed(x: Exchange, res: http.ServerResponse): void;
  /** The backend's response closed (complete or not). */
  responseClosed(x: Exchange, proxyRes: http.IncomingMessage, res: http.ServerResponse): void;
}

/** One request on its way through the proxy. */
export interface Exchange {
  readonly owner: ExchangeOwner;
  readonly res: http.ServerResponse;
  readonly route: CompiledRoute | undefined;
  readonly stats: RouteStats;
  readonly gen: Generation;
  readonly start: number;
  backend: BackendName;
  /** Bumped on a fallback, so that late events of the abandoned attempt are ignored. */
  attempt: number;
  /** The new service's answer is held back until we know it is not a failure to fall back from. */
  held: boolean;
  outgoing: http.ClientRequest | undefined;
  /** The backend response being relayed. */
  response: http.IncomingMessage | undefined;
  recorded: boolean;
  /** Sent again once after a stale keep-alive connection was reset under it. */
  retried: boolean;
  /** The request body, read whole so that it can be sent twice (a replayable PUT/DELETE, see replay.ts). */
  body: Buffer | undefined;
  /** Set when this request is mirrored: it receives the primary answer as it streams. */
  shadow: MirrorJob | undefined;
  /** The visitor id given to a request without an identity (stickiness.assign), set as a cookie on the answer. */
  assigned: string | undefined;
}

/** The exchange rides on the client response and on the backend response, under this key. */
export const EXCHANGE = Symbol('strangler.exchange');
export type Tagged = http.ServerResponse & { [EXCHANGE]?: Exchange };
export type TaggedResponse = http.IncomingMessage & { [EXCHANGE]?: Exchange };

// Listeners shared by every request (no closure per request): the exchange rides on the stream.
export function onClientClose(this: Tagged): void {
  const x = this[EXCHANGE];
  if (x !== undefined) x.owner.closed(x, this);
}

export function onBackendClose(this: TaggedResponse): void {
  const x = this[EXCHANGE];
  if (x !== undefined) x.owner.responseClosed(x, this, x.res);
}

// The response body's relay to the client, with backpressure: what proxyRes.pipe(res) does for this
// case, with three shared listeners where pipe() adds and later removes eight (data, end, drain,
// unpipe, error, close, finish, prefinish) per response (in a CPU profile of the proxy bench, pipe()
// and that listener bookkeeping were 1–2% of the proxy's samples). Closes and errors are the
// exchange's own listeners' (onBackendClose, onClientClose).
export function relayData(this: TaggedResponse, chunk: Buffer): void {
  const res = this[EXCHANGE]!.res;
  if (!res.write(chunk) && !res.destroyed) {
    this.pause();
    res.once('drain', relayDrained);
  }
}

function relayDrained(this: Tagged): void {
  this[EXCHANGE]?.response?.resume();
}

export function relayEnd(this: TaggedResponse): void {
  this[EXCHANGE]!.res.end();
}
