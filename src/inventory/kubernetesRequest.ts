/**
 * One GET to a cluster's API server with the cluster's `KubeConfig` (server, CA, client
 * certificate, proxy and credentials from `@kubernetes/client-node`), bounded whatever the
 * server does: a time limit without data and in all, a cap on the decoded size of the answer
 * (a gzip bomb is cut off after the cap, never inflated whole), and cancellation through a
 * signal. Failures name the request and what happened.
 */
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest, type RequestOptions } from 'node:https';
import type { Readable } from 'node:stream';
import { createGunzip, createInflate } from 'node:zlib';
import type { KubeConfig } from '@kubernetes/client-node';
import { formatDuration } from '../util/duration.js';
import { clip } from '../util/text.js';
import type { ClusterAgent } from './clusterAgent.js';

export interface RequestLimits {
  /** No data for this long (waiting for the answer, or within its body) ends the request. */
  idleTimeoutMs: number;
  /** The longest one request may take, body included. */
  totalTimeoutMs: number;
  /** The most bytes one answer may decode to. */
  maxBodyBytes: number;
}

/** A page of 500 pods is a few MB; 32 MiB leaves room for pods with very large specs. */
export const DEFAULT_REQUEST_LIMITS: RequestLimits = { idleTimeoutMs: 30_000, totalTimeoutMs: 60_000, maxBodyBytes: 32 * 1024 * 1024 };
/** Error answers are read only this far: their message is all that is used. */
const MAX_ERROR_BODY_BYTES = 64 * 1024;

/** A failed request to the API server; `code` is the HTTP status when there was an answer. */
export class KubernetesRequestError extends Error {
  readonly code: number | undefined;
  readonly headers: Record<string, string | string[] | undefined>;

  constructor(message: string, options: { code?: number; headers?: IncomingMessage['headers']; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'KubernetesRequestError';
    this.code = options.code;
    this.headers = options.headers ?? {};
  }
}

export interface GetRequest {
  /** Path and query, as sent. */
  pathAndQuery: string;
  /** How failures name the request, e.g. `GET /api/v1/pods?limit=500&continue=… (page 3)`. */
  description: string;
  agent: ClusterAgent;
  signal: AbortSignal;
  limits: RequestLimits;
  /** The request has been written. */
  onSent?(): void;
  /** Each decoded chunk of a successful answer, as it arrives (for reading a list's metadata early). */
  onChunk?(chunks: readonly Buffer[], bytes: number): void;
}

/** The body of a 2xx answer as text; any other status rejects with a `KubernetesRequestError` carrying it. */
export async function getKubernetesText(kc: KubeConfig, get: GetRequest): Promise<string> {
  const server = kc.getCurrentCluster()?.server;
  if (!server) throw new Error('the kubeconfig names no cluster server');
  const options: RequestOptions = {};
  await kc.applyToHTTPSOptions(options);
  get.signal.throwIfAborted();
  const url = new URL(server.replace(/\/+$/, '') + get.pathAndQuery);
  const send = url.protocol === 'http:' ? httpRequest : httpsRequest;
  const headers = { ...options.headers, accept: 'application/json', 'accept-encoding': 'gzip, deflate' };
  const req = send(url, { method: 'GET', headers, agent: get.agent.reuse(options.agent), ...(options.auth ? { auth: options.auth } : {}) });
  const fail = (what: string, cause?: unknown): KubernetesRequestError => new KubernetesRequestError(`${get.description}: ${what}`, { cause });
  // Why the request was stopped, for whoever sees only the connection's error.
  const stopped: { reason?: KubernetesRequestError; response?: IncomingMessage } = {};
  // Once the whole answer has arrived, its connection is back in the pool: only the reading stops.
  const end = (reason: Error): void => void (stopped.response?.complete ? stopped.response.destroy(reason) : req.destroy(reason));
  const stop = (what: string): void => {
    stopped.reason ??= fail(what);
    end(stopped.reason);
  };
  const cancel = (): void => end(get.signal.reason instanceof Error ? get.signal.reason : new Error('the request was cancelled'));
  get.signal.addEventListener('abort', cancel, { once: true });
  const total = setTimeout(() => stop(`no complete answer within ${formatDuration(get.limits.totalTimeoutMs)}`), get.limits.totalTimeoutMs);
  total.unref();
  req.setTimeout(get.limits.idleTimeoutMs, () => stop(`no data for ${formatDuration(get.limits.idleTimeoutMs)}`));
  try {
    const response = await new Promise<IncomingMessage>((resolve, reject) => {
      req.once('response', (response) => resolve((stopped.response = response)));
      // Kept for the request's life: a destroyed request may emit more than one error.
      req.on('error', (error) => reject(error instanceof KubernetesRequestError ? error : fail(`cannot reach the API server (${describeNetworkError(error)})`, error)));
      req.end();
      get.onSent?.();
    });
    // A later abort (the listing stopped) may destroy an answer already read, with no reader left.
    response.on('error', () => undefined);
    const status = response.statusCode ?? 0;
    const ok = status >= 200 && status < 300;
    const text = await readBody(response, get, ok ? get.limits.maxBodyBytes : MAX_ERROR_BODY_BYTES, ok).catch((error: unknown) => {
      throw stopped.reason ?? error;
    });
    if (!ok) throw new KubernetesRequestError(`${get.description}: the Kubernetes API answered HTTP ${status}${statusMessage(text)}`, { code: status, headers: response.headers });
    return text;
  } catch (error) {
    throw get.signal.aborted ? get.signal.reason : error; // the budget's reason, not the socket's
  } finally {
    clearTimeout(total);
    get.signal.removeEventListener('abort', cancel);
  }
}

/** The decoded body, cut off with an error beyond `maxBytes` (error answers: simply cut). */
async function readBody(response: IncomingMessage, get: GetRequest, maxBytes: number, ok: boolean): Promise<string> {
  const encoding = response.headers['content-encoding'];
  let body: Readable = response;
  if (encoding === 'gzip') body = response.pipe(createGunzip());
  else if (encoding === 'deflate') body = response.pipe(createInflate());
  let received = 0;
  if (body !== response) {
    response.on('data', (chunk: Buffer) => (received += chunk.length));
    response.once('error', (error) => body.destroy(error));
  }
  const announced = Number(response.headers['content-length'] ?? Number.NaN);
  const chunks: Buffer[] = [];
  let bytes = 0;
  try {
    for await (const chunk of body) {
      bytes += (chunk as Buffer).length;
      if (body === response) received = bytes;
      if (bytes > maxBytes) {
        if (!ok) break;
        throw new KubernetesRequestError(`${get.description}: the answer ${body === response ? 'is' : 'decodes to'} more than ${maxBytes / 1024 / 1024} MiB, the most one page may be`);
      }
      chunks.push(chunk as Buffer);
      if (ok) get.onChunk?.(chunks, bytes);
    }
  } catch (error) {
    if (error instanceof KubernetesRequestError || get.signal.aborted) throw error;
    const of = Number.isFinite(announced) ? ` of the ${announced} announced` : '';
    throw new KubernetesRequestError(`${get.description}: the answer ended early, after ${received} bytes${of} (${describeNetworkError(error)})`, { cause: error });
  } finally {
    response.destroy();
    if (body !== response) body.destroy();
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** The Status message of an error answer, when it has one. */
function statusMessage(text: string): string {
  try {
    const message = (JSON.parse(text) as { message?: unknown }).message;
    return typeof message === 'string' && message ? `: ${clip(message, 300)}` : '';
  } catch {
    return '';
  }
}

function describeNetworkError(error: unknown): string {
  const code = (error as { code?: unknown }).code;
  const message = error instanceof Error ? error.message : String(error);
  return typeof code === 'string' && !message.includes(code) ? `${code}: ${message}` : message;
}
