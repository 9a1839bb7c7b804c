/**
 * Faults the emulators can put on the wire, the way a broken or hostile service would: a
 * request accepted and never answered, a body that stalls or is cut off part-way, and a gzip
 * bomb generated as a stream (it never exists in memory; only what the client reads is made).
 * Each emulator decides when to use them; `OpenRequests` lets tests see whether the client
 * gave up on a request (closed its connection) or left it open.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { Readable } from 'node:stream';
import { createGzip } from 'node:zlib';

/** Requests an emulator is holding open, to check that a client cancels what it abandons. */
export class OpenRequests {
  private open = 0;
  private closed = 0;

  /** Counts `res` as open until its connection closes (the client gave up, or the server ended it). */
  track(res: ServerResponse): void {
    this.open += 1;
    res.once('close', () => {
      this.open -= 1;
      this.closed += 1;
    });
  }

  /** Requests held open right now. */
  get count(): number {
    return this.open;
  }

  /** Held requests whose connection has closed since. */
  get closedCount(): number {
    return this.closed;
  }
}

/** Accepts the request and never answers: the connection stays open until the client closes it. */
export function hang(req: IncomingMessage, res: ServerResponse, open: OpenRequests): void {
  open.track(res);
  req.resume();
}

/** Sends the headers and the first `afterBytes` of `body`, then nothing more, keeping the connection open. */
export function stallBody(res: ServerResponse, status: number, headers: Record<string, string | number>, body: string, afterBytes: number, open: OpenRequests): void {
  open.track(res);
  res.writeHead(status, { ...headers, 'content-length': Buffer.byteLength(body) });
  res.write(Buffer.from(body).subarray(0, afterBytes));
}

/** Sends the headers (announcing the whole length) and the first `afterBytes` of `body`, then closes the connection. */
export function truncateBody(res: ServerResponse, status: number, headers: Record<string, string | number>, body: string, afterBytes: number): void {
  res.writeHead(status, { ...headers, 'content-length': Buffer.byteLength(body) });
  res.write(Buffer.from(body).subarray(0, afterBytes), () => setTimeout(() => res.destroy(), 20));
}

export interface GzipBomb {
  /** Bytes of JSON produced (before compression) so far: what a client that reads everything would inflate. */
  readonly producedBytes: number;
}

/**
 * Answers with a gzip-compressed JSON list that inflates to `decodedBytes` (one huge string in
 * its `metadata`), generated chunk by chunk as the client reads: a few kilobytes on the wire
 * per megabyte inflated. Stops producing when the client closes the connection.
 */
export function gzipBomb(res: ServerResponse, head: string, decodedBytes: number): GzipBomb {
  const chunk = Buffer.alloc(1024 * 1024, 'a');
  const state = { producedBytes: 0 };
  let stopped = false;
  const source = new Readable({
    read() {
      if (stopped) return;
      if (state.producedBytes === 0) {
        state.producedBytes += Buffer.byteLength(head);
        this.push(head);
        return;
      }
      if (state.producedBytes >= decodedBytes) {
        this.push('"},"items":[]}');
        this.push(null);
        return;
      }
      state.producedBytes += chunk.length;
      this.push(chunk);
    },
  });
  res.once('close', () => {
    stopped = true;
    source.destroy();
  });
  res.writeHead(200, { 'content-type': 'application/json', 'content-encoding': 'gzip' });
  source.pipe(createGzip({ level: 1 })).pipe(res);
  return state;
}
