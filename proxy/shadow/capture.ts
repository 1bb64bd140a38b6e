import type http from 'node:http';
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

  fail(reason: SkipReason, error: string): void {
    this.chunks = undefined;
    this.skipped ??= reason;
    this.error ??= error;
  }

  result(): CapturedResponse {
    const out: CapturedResponse = {
      backend: this.backend,
      status: this.status,
      headers: this.headers,
      body: this.chunks === undefined ? undefined : Buffer.concat(this.chunks, this.size),
      latencyMs: Math.round(this.latencyMs * 1000) / 1000,
    };
    if (this.skipped !== undefined) out.skipped = this.skipped;
    if (this.error !== undefined) out.error = this.error;
    return out;
  }
}
