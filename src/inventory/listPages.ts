/**
 * Kubernetes lists (namespaces, running pods), page by page, read from the API server with the
 * cluster's `KubeConfig`: server, CA, client certificate, proxy and credentials (including
 * tokens renewed by its authenticators) all come from `@kubernetes/client-node`; only the list
 * requests themselves are sent here.
 *
 * Why not `CoreV1Api.listPodForAllNamespaces` (measured with `npm run bench`, 10 clusters x
 * 2,000 pods in pages of 500, 20 ms of latency a request): pod pages are a serial chain, each
 * carrying the next one's continue token, and the generated client hands a page over only after
 * parsing it and deserialising every pod into typed models. Pages came every 36 ms, 16 ms of
 * processing on top of the latency, on the scan's critical path, and the library's work was
 * ~0.25 s of the scan's CPU. Here the next page is asked for as soon as the current one is
 * parsed, while it is folded, and each page is parsed once into plain objects (the JSON of a
 * pod or namespace has the shape of `V1Pod` or `V1Namespace` for every field the scan reads).
 * The namespace list goes the same way, so that one code path reads the cluster.
 */
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest, type RequestOptions } from 'node:https';
import type { Readable } from 'node:stream';
import { createGunzip, createInflate } from 'node:zlib';
import { ApiException, type KubeConfig, type V1Pod } from '@kubernetes/client-node';
import type { ClusterAgent } from './clusterAgent.js';

export interface ListPageOptions {
  /** `limit` of each request. */
  pageSize: number;
  agent: ClusterAgent;
  /** Aborts the request in flight (a cluster over its time budget). */
  signal?: AbortSignal;
}

interface ListMetadata {
  continue?: string;
}

interface List<T> {
  metadata?: ListMetadata;
  items?: T[];
}

interface PageRequest<T> {
  answer: Promise<List<T>>;
  /** Known from the answer's first bytes, or else from the whole page. */
  continueToken: Promise<string | undefined>;
  /** Settles when the request has been written (or has failed). */
  sent: Promise<unknown>;
}

/** Bytes of an answer searched for the list's `metadata` before `items`; beyond, the whole page is parsed first. */
const LIST_HEAD_MAX_BYTES = 64 * 1024;

/**
 * The `metadata` of a list from the first bytes of its JSON, when they hold all of it: the API
 * server writes `{"kind":…,"apiVersion":…,"metadata":{…},"items":[…]}`. Undefined when the
 * head is not (yet) complete or not in that form; the caller then waits for the whole page.
 */
export function listMetadataFromHead(head: string): ListMetadata | undefined {
  const itemsAt = head.indexOf(',"items":');
  if (itemsAt < 0) return undefined;
  try {
    const list = JSON.parse(`${head.slice(0, itemsAt)}}`) as { metadata?: unknown };
    return list.metadata && typeof list.metadata === 'object' ? (list.metadata as ListMetadata) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Yields the items of the list at `path` (with `query`) page by page. The next page is asked
 * for as soon as the current one's continue token is known, usually from the first bytes of
 * its answer (the API server writes `metadata` before `items`), so it is on its way while the
 * rest of the page is received, parsed and worked on.
 */
export async function* listPages<T>(kc: KubeConfig, path: string, query: Record<string, string>, options: ListPageOptions): AsyncGenerator<T[], void> {
  const stop = new AbortController();
  const signal = options.signal ? AbortSignal.any([options.signal, stop.signal]) : stop.signal;
  const page = (token: string | undefined): PageRequest<T> => {
    const params = new URLSearchParams({ ...query, limit: String(options.pageSize) });
    if (token) params.set('continue', token);
    let sent: () => void = () => undefined;
    let metadataRead: (metadata: ListMetadata) => void = () => undefined;
    const whenSent = new Promise<void>((resolve) => (sent = resolve));
    const earlyMetadata = new Promise<ListMetadata>((resolve) => (metadataRead = resolve));
    const answer = getKubernetesJson<List<T>>(kc, `${path}?${params}`, options.agent, signal, { onSent: sent, onListMetadata: metadataRead });
    const continueToken = Promise.race([earlyMetadata, answer.then((list) => list.metadata ?? {})]).then((m) => m.continue || undefined);
    // Awaited below; a page nobody reads (the caller stopped) must not go unhandled.
    answer.catch(() => undefined);
    continueToken.catch(() => undefined);
    return { answer, continueToken, sent: Promise.race([whenSent, answer.catch(() => undefined)]) };
  };
  let current: PageRequest<T> | undefined = page(undefined);
  try {
    while (current) {
      const token: string | undefined = await current.continueToken;
      const next: PageRequest<T> | undefined = token ? page(token) : undefined;
      // Credentials are applied asynchronously: wait until the request is written, so that it
      // is not held back by the work on this page.
      await next?.sent;
      const list: List<T> = await current.answer;
      if ((list.metadata?.continue || undefined) !== token) throw new Error(`the Kubernetes API answered ${path} with a page whose continue token is not the one it began with`);
      yield list.items ?? [];
      current = next;
    }
  } finally {
    stop.abort(); // a prefetched page the caller will not read
  }
}

/** The running pods of every namespace. */
export function runningPodPages(kc: KubeConfig, options: ListPageOptions): AsyncGenerator<V1Pod[], void> {
  return listPages<V1Pod>(kc, '/api/v1/pods', { fieldSelector: 'status.phase=Running' }, options);
}

interface GetHooks {
  /** The request has been written. */
  onSent?(): void;
  /** A successful list answer's `metadata`, as soon as its first bytes hold it (see listMetadataFromHead). */
  onListMetadata?(metadata: ListMetadata): void;
}

/**
 * GET `path` on the cluster's API server; rejects with the library's `ApiException` (its `code`
 * is the HTTP status) for an error answer, as the generated client would.
 */
async function getKubernetesJson<T>(kc: KubeConfig, path: string, agent: ClusterAgent, signal: AbortSignal, hooks: GetHooks = {}): Promise<T> {
  const server = kc.getCurrentCluster()?.server;
  if (!server) throw new Error('the kubeconfig names no cluster server');
  const options: RequestOptions = {};
  await kc.applyToHTTPSOptions(options);
  signal.throwIfAborted();
  const url = new URL(server.replace(/\/+$/, '') + path);
  const send = url.protocol === 'http:' ? httpRequest : httpsRequest;
  const response = await new Promise<IncomingMessage>((resolve, reject) => {
    const req = send(
      url,
      {
        method: 'GET',
        // The library's client asks for compressed answers too; API servers compress large lists.
        headers: { ...options.headers, accept: 'application/json', 'accept-encoding': 'gzip, deflate' },
        agent: agent.reuse(options.agent),
        ...(options.auth ? { auth: options.auth } : {}),
        signal,
      },
      resolve,
    );
    req.once('error', reject);
    req.end();
    hooks.onSent?.();
  });
  const status = response.statusCode ?? 0;
  const ok = status >= 200 && status < 300;
  const text = await readBody(response, ok ? hooks.onListMetadata : undefined);
  if (!ok) throw new ApiException(status, response.statusMessage ?? 'error', parseOrText(text), response.headers as Record<string, string>);
  try {
    return JSON.parse(text) as T;
  } catch {
    throw new Error(`the Kubernetes API answered ${url.pathname} with a body that is not JSON`);
  }
}

async function readBody(response: IncomingMessage, onListMetadata?: (metadata: ListMetadata) => void): Promise<string> {
  const encoding = response.headers['content-encoding'];
  let body: Readable = response;
  if (encoding === 'gzip') body = response.pipe(createGunzip());
  else if (encoding === 'deflate') body = response.pipe(createInflate());
  if (body !== response) response.once('error', (error) => body.destroy(error));
  const chunks: Buffer[] = [];
  let bytes = 0;
  let lookForMetadata = onListMetadata !== undefined;
  for await (const chunk of body) {
    chunks.push(chunk as Buffer);
    bytes += (chunk as Buffer).length;
    if (lookForMetadata) {
      const metadata = listMetadataFromHead(Buffer.concat(chunks).subarray(0, LIST_HEAD_MAX_BYTES).toString('utf8'));
      if (metadata) onListMetadata?.(metadata);
      if (metadata || bytes >= LIST_HEAD_MAX_BYTES) lookForMetadata = false;
    }
  }
  return Buffer.concat(chunks).toString('utf8');
}

function parseOrText(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
