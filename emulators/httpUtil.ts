/**
 * Small shared plumbing for the test emulators: starting a server on 127.0.0.1 with a free
 * port, an optional per-request latency (for benchmarks), a request log, JSON replies and
 * body reading. Kept deliberately tiny so every emulator behaves the same way.
 */
import { createServer as createHttpServer } from 'node:http';
import type { IncomingMessage, RequestListener, Server as HttpServer, ServerResponse } from 'node:http';
import { createServer as createHttpsServer, request as httpsRequest } from 'node:https';
import type { Server as HttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';

/** One line of an emulator's request log; `kind` classifies the request (e.g. `token`, `pods-page`). */
export type RequestLogEntry = {
  method: string;
  path: string;
  query: Record<string, string>;
  kind: string;
  status: number;
  /** Content-Encoding of the answer, when it was compressed. */
  contentEncoding?: string;
};

/** Handles one request; may be async. A thrown error becomes a 500 JSON reply. */
export type RequestHandler = (req: IncomingMessage, res: ServerResponse) => void | Promise<void>;

export interface ServerOptions {
  /**
   * Each answer leaves this long after its request arrived (at once if handling took longer):
   * the request is handled on arrival and its answer held back, so that the emulator's own
   * work is part of the latency, not added to it, as with a remote service whose latency is
   * what its clients measure.
   */
  latencyMs?: number;
}

export interface HttpsServerOptions extends ServerOptions {
  /** Ask clients for a certificate (not required); see `socket.authorized` in the handler. */
  requestCert?: boolean;
}

/** The PEM material an HTTPS emulator needs (a `TestPki` from testPki.ts fits). */
export interface ServerPki {
  certPem: string;
  keyPem: string;
  caPem?: string;
}

export interface StartedServer {
  server: HttpServer | HttpsServer;
  port: number;
  /** `http://127.0.0.1:PORT` or `https://127.0.0.1:PORT`, no trailing slash. */
  url: string;
  /** Stops listening and destroys every open (keep-alive) connection. */
  close(): Promise<void>;
}

/** Reads the whole request body as UTF-8 (rejects above `maxBytes`, default 10 MB). */
export function readBody(req: IncomingMessage, maxBytes = 10 * 1024 * 1024): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBytes) {
        reject(new Error(`request body larger than ${maxBytes} bytes`));
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const payload = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(payload),
    ...headers,
  });
  res.end(payload);
}

export function sendText(res: ServerResponse, status: number, body: string, headers: Record<string, string> = {}): void {
  res.writeHead(status, {
    'content-type': 'text/plain; charset=utf-8',
    'content-length': Buffer.byteLength(body),
    ...headers,
  });
  res.end(body);
}

/** Splits `req.url` into a path and a flat query object (the last value wins for repeated keys). */
export function parseRequestUrl(req: IncomingMessage): { path: string; query: Record<string, string>; searchParams: URLSearchParams } {
  const url = new URL(req.url ?? '/', 'http://emulator.invalid');
  const query: Record<string, string> = {};
  for (const [key, value] of url.searchParams) query[key] = value;
  return { path: url.pathname, query, searchParams: url.searchParams };
}

/** Appends one entry to `log` for this request; call it right before sending the reply. */
export function logRequest(log: RequestLogEntry[], req: IncomingMessage, kind: string, status: number): void {
  const { path, query } = parseRequestUrl(req);
  log.push({ method: req.method ?? 'GET', path, query, kind, status });
}

function wrap(handler: RequestHandler, options: ServerOptions): RequestListener {
  const latencyMs = options.latencyMs ?? 0;
  return (req, res) => {
    if (latencyMs > 0) answerAfter(res, latencyMs);
    void (async () => {
      try {
        await handler(req, res);
      } catch (err) {
        if (!res.headersSent && !res.destroyed) {
          sendJson(res, 500, { error: 'emulator_error', message: err instanceof Error ? err.message : String(err) });
        } else {
          res.destroy();
        }
      }
    })();
  };
}

/**
 * Holds `res.end` until `latencyMs` after now (see `ServerOptions.latencyMs`); the emulators
 * answer with a single `end`.
 */
export function answerAfter(res: ServerResponse, latencyMs: number): void {
  const answerAt = performance.now() + latencyMs;
  const end = res.end.bind(res) as (...args: unknown[]) => ServerResponse;
  res.end = ((...args: unknown[]) => {
    const wait = answerAt - performance.now();
    if (wait <= 0) return end(...args);
    setTimeout(() => {
      if (!res.destroyed) end(...args);
    }, wait);
    return res;
  }) as ServerResponse['end'];
}

function listen(server: HttpServer | HttpsServer, scheme: 'http' | 'https'): Promise<StartedServer> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      server.off('error', reject);
      const { port } = server.address() as AddressInfo;
      let closing: Promise<void> | undefined;
      resolve({
        server,
        port,
        url: `${scheme}://127.0.0.1:${port}`,
        close() {
          closing ??= new Promise<void>((done) => {
            server.close(() => done());
            server.closeAllConnections();
          });
          return closing;
        },
      });
    });
  });
}

/** Plain-http server on 127.0.0.1 with a free port. */
export function startHttpServer(handler: RequestHandler, options: ServerOptions = {}): Promise<StartedServer> {
  const server = createHttpServer(wrap(handler, options));
  server.keepAliveTimeout = 5_000;
  return listen(server, 'http');
}

/**
 * HTTPS server on 127.0.0.1 with a free port, serving `pki.certPem` (valid for localhost,
 * 127.0.0.1 and ::1). With `requestCert`, client certificates are asked for but not required;
 * those that chain to `pki.caPem` show up as `req.socket.authorized === true`.
 */
export function startHttpsServer(pki: ServerPki, handler: RequestHandler, options: HttpsServerOptions = {}): Promise<StartedServer> {
  const server = createHttpsServer(
    {
      cert: pki.certPem,
      key: pki.keyPem,
      ...(options.requestCert ? { requestCert: true, rejectUnauthorized: false, ca: pki.caPem } : {}),
    },
    wrap(handler, options),
  );
  server.keepAliveTimeout = 5_000;
  return listen(server, 'https');
}

export interface RawJsonResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  json: unknown;
}

/** A raw HTTPS request that trusts `caPem` explicitly, for tests that check an emulator's wire answers. */
export function requestJson(url: URL, options: { method: string; caPem: string; headers?: Record<string, string>; body?: string }): Promise<RawJsonResponse> {
  return new Promise((resolve, reject) => {
    const req = httpsRequest(url, { method: options.method, headers: options.headers, ca: options.caPem }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        resolve({ status: res.statusCode ?? 0, headers: res.headers, json: text ? JSON.parse(text) : undefined });
      });
    });
    req.on('error', reject);
    req.end(options.body);
  });
}
