import type http from 'node:http';
import { performance } from 'node:perf_hooks';
import type { BackendName } from '../../config/proxy-schema.js';
import type { CapturedResponse, SkipReason } from '../shadow-contract.js';

/**
 * Collects one response for comparison: its head, and its body up to a cap. Past the cap the bytes
 * already held are let go and the side is marked skipped, so a capture never holds more than the cap.
 */
export class ResponseCapture {
  status = 0;
  headers: Record<string, string | string[] | undefined> = {};
  private chunks: Buffer[] | undefined = [];
  private size = 0;
  skipped: SkipReason | undefined;
  error: string | undefined;
  latencyMs = 0;
  /** The answer ended, or failed (finish()). */
  finished = false;

  constructor(
    readonly backend: BackendName,
    private readonly maxBytes: number,
  ) {}

  head(res: http.IncomingMessage): void {
    this.status = res.statusCode ?? 0;
    const headers: Record<string, string | string[]> = {};
    for (const [k, v] of Object.entries(res.headers)) if (v !== undefined) headers[k] = v;
    this.headers = headers;
  }

  /** A 'data' listener: it applies no backpressure, so teeing never slows the stream it reads. */
  readonly data = (chunk: Buffer): void => {
    if (this.chunks === undefined) return;
    this.size += chunk.length;
    if (this.size > this.maxBytes) {
      this.chunks = undefined;
      this.skipped ??= 'body-too-large';
    } else this.chunks.push(chunk);
  };

  /** Its head now, its body teed from here as it streams on (to the user, for the primary answer). */
  tee(res: http.IncomingMessage): void {
    this.head(res);
    res.on('data', this.data);
  }

  /**
   * The answer ended (or failed: the backend's fault code, a timeout or not), `started` being when
   * the request began (performance.now()); false when it had already ended.
   */
  finish(started: number, failed?: { code: string; timedOut: boolean }): boolean {
    if (this.finished) return false;
    this.finished = true;
    this.latencyMs = performance.now() - started;
    if (failed) this.fail(failed.timedOut ? 'timeout' : 'backend-error', failed.code);
    return true;
  }

  fail(reason: SkipReason, error: string): void {
    this.chunks = undefined;
    this.skipped ??= reason;
    this.error ??= error;
  }

  /** The body's chunks as received (undefined when skipped), for a caller that copies them once itself. */
  heldBody(): { chunks: Buffer[]; size: number } | undefined {
    return this.chunks === undefined ? undefined : { chunks: this.chunks, size: this.size };
  }

  /** The capture as plain data; withBody false leaves the body out (see heldBody). */
  result(withBody = true): CapturedResponse {
    const out: CapturedResponse = {
      backend: this.backend,
      status: this.status,
      headers: this.headers,
      body: this.chunks === undefined || !withBody ? undefined : Buffer.concat(this.chunks, this.size),
      latencyMs: Math.round(this.latencyMs * 1000) / 1000,
    };
    if (this.skipped !== undefined) out.skipped = this.skipped;
    if (this.error !== undefined) out.error = this.error;
    return out;
  }
}

/**
 * A copy of the user's request body up to a cap, taken as it streams to the primary backend (an
 * extra 'data' listener: no backpressure on the user's stream). Past the cap the bytes are let go
 * and `chunks` is undefined: too large to mirror.
 */
export class RequestBodyCopy {
  chunks: Buffer[] | undefined = [];
  size = 0;
  /** Whether the request has a body at all; without one nothing is listened to. */
  readonly present: boolean;

  constructor(
    req: http.IncomingMessage,
    private readonly maxBytes: number,
  ) {
    this.present = req.headers['transfer-encoding'] !== undefined || (req.headers['content-length'] ?? '0') !== '0';
    if (this.present) req.on('data', this.data);
  }

  private readonly data = (chunk: Buffer): void => {
    if (this.chunks === undefined) return;
    this.size += chunk.length;
    if (this.size > this.maxBytes) this.chunks = undefined;
    else this.chunks.push(chunk);
  };
}
