/**
 * Faults the ACR emulator can be told to answer with, per endpoint and repository: what a
 * broken, overloaded or hostile registry does to a client. Each fault is applied to the request
 * after its authorisation, so the client's credentials and tokens are exercised as usual.
 */
import type { ServerResponse } from 'node:http';
import { createGzip } from 'node:zlib';

export type AcrFault =
  /** An ACR error body with this status (and `Retry-After`, when given). */
  | { kind: 'status'; status: number; retryAfter?: string }
  /** The headers of a 200 answer, then nothing: the connection stays open. */
  | { kind: 'stall' }
  /** The real answer, `bytesPerSecond` at a time. */
  | { kind: 'slow-body'; bytesPerSecond: number }
  /** A gzip body that inflates to `inflatedBytes` of JSON whitespace, generated as it is sent. */
  | { kind: 'gzip-bomb'; inflatedBytes: number }
  /** Tag pages: the real page with a `Link` to the very same URL. */
  | { kind: 'self-link' }
  /** Tag pages: no tags, and a `Link` to a further page. */
  | { kind: 'empty-page-with-next' }
  /** Tag pages: the real page with a `Link` to another host. */
  | { kind: 'cross-origin-link' }
  /** Tag pages: the page's tags oldest first. */
  | { kind: 'unsorted' }
  /** A 200 answer whose body is `{}`. */
  | { kind: 'empty-object' };

export type AcrFaultTarget = 'tags-page' | 'manifest' | 'token' | 'exchange';

export interface FaultRule {
  target: AcrFaultTarget;
  /** Only requests about this repository (data requests); every one when absent. */
  repository?: string;
  fault: AcrFault;
  /** Requests left to fault; Infinity for all. */
  remaining: number;
}

/** The rules in force, first match wins; a rule is dropped once its count is used up. */
export class FaultRules {
  private rules: FaultRule[] = [];
  /** Bytes a gzip bomb inflates to that were actually generated (the client stopped reading at some point). */
  inflatedBytesGenerated = 0;

  add(target: AcrFaultTarget, fault: AcrFault, options: { repository?: string; times?: number } = {}): void {
    this.rules.push({ target, fault, remaining: options.times ?? Number.POSITIVE_INFINITY, ...(options.repository ? { repository: options.repository } : {}) });
  }

  clear(): void {
    this.rules = [];
  }

  /** The fault for this request, if any (counting it). */
  take(target: AcrFaultTarget, repository?: string): AcrFault | undefined {
    const rule = this.rules.find((r) => r.target === target && (r.repository === undefined || r.repository === repository));
    if (!rule) return undefined;
    rule.remaining -= 1;
    if (rule.remaining <= 0) this.rules = this.rules.filter((r) => r !== rule);
    return rule.fault;
  }
}

/** Headers, then silence. */
export function stall(res: ServerResponse, headers: Record<string, string>): void {
  res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', ...headers });
  res.flushHeaders();
}

/** Sends `payload` a few bytes at a time, ten times a second, until it is sent or the client goes. */
export function dribble(res: ServerResponse, payload: string, bytesPerSecond: number, headers: Record<string, string>): void {
  const bytes = Buffer.from(payload);
  res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'content-length': String(bytes.length), ...headers });
  const step = Math.max(1, Math.floor(bytesPerSecond / 10));
  let sent = 0;
  const timer = setInterval(() => {
    if (res.destroyed) {
      clearInterval(timer);
      return;
    }
    res.write(bytes.subarray(sent, sent + step));
    sent += step;
    if (sent >= bytes.length) {
      clearInterval(timer);
      res.end();
    }
  }, 100);
  res.on('close', () => clearInterval(timer));
}

/**
 * A gzip body inflating to `inflatedBytes`: a JSON object opened and then whitespace, compressed
 * as it is written (deflate turns 1 MB of spaces into ~1 KB), one 64 KB block at a time and only
 * as fast as the client reads, so neither side of the emulator holds it in memory.
 */
export function gzipBomb(res: ServerResponse, inflatedBytes: number, headers: Record<string, string>, onGenerated: (bytes: number) => void): void {
  res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'content-encoding': 'gzip', ...headers });
  const gzip = createGzip({ level: 9 });
  gzip.pipe(res);
  const block = Buffer.alloc(64 * 1024, ' ');
  let written = 0;
  let closed = false;
  res.on('close', () => {
    closed = true;
    gzip.destroy();
  });
  const pump = (): void => {
    while (!closed && written < inflatedBytes) {
      const chunk = written === 0 ? Buffer.concat([Buffer.from('{"tags":['), block]) : block;
      written += chunk.length;
      onGenerated(chunk.length);
      if (!gzip.write(chunk)) {
        gzip.once('drain', pump);
        return;
      }
    }
    if (!closed) gzip.end();
  };
  pump();
}
