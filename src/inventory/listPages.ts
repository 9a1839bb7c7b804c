/**
 * Kubernetes lists (namespaces, running pods), page by page, read from the API server with the
 * cluster's `KubeConfig`: server, CA, client certificate, proxy and credentials (including
 * tokens renewed by its authenticators) all come from `@kubernetes/client-node`; only the list
 * requests themselves are sent here.
 *
 * Why not `CoreV1Api.listPodForAllNamespaces`: pod pages are a serial chain on the scan's
 * critical path, and the generated client hands a page over only after deserialising every pod
 * into typed models (docs/performance.md, Kubernetes lists). Here the next page is asked for as
 * soon as the current one's continue token is known, and each page is parsed once into plain
 * objects (the JSON of a pod or namespace has the shape of `V1Pod` or `V1Namespace` for every
 * field the scan reads).
 * The namespace list goes the same way, so that one code path reads the cluster.
 *
 * A listing is bounded whatever the API server answers: each request as kubernetesRequest.ts
 * says, a 429 or 5xx asked again only within the cluster's time budget, a continue token seen
 * before (a list that would never end) and more than MAX_LIST_PAGES pages end it with an error.
 */
import type { KubeConfig, V1Pod } from '@kubernetes/client-node';
import { systemClock, type Clock } from '../model/clock.js';
import { abortableSleep } from '../util/abortableSleep.js';
import { formatDuration } from '../util/duration.js';
import { cappedRetryAfterMs, MAX_RETRY_AFTER_MS } from '../util/retryAfter.js';
import type { ClusterAgent } from './clusterAgent.js';
import { DEFAULT_REQUEST_LIMITS, getKubernetesText, KubernetesRequestError, type GetRequest, type RequestLimits } from './kubernetesRequest.js';

export interface ListPageOptions {
  /** `limit` of each request. */
  pageSize: number;
  agent: ClusterAgent;
  /** Aborts the request in flight (a cluster over its time budget). */
  signal?: AbortSignal;
  /** When the cluster's time budget ends (ms since the epoch): a retry that would wait past it fails at once. */
  deadline?: number;
  /** The clock `deadline` is read on. */
  now?: Clock;
  limits?: RequestLimits;
}

interface ListMetadata {
  continue?: string;
}

interface List<T> {
  metadata?: ListMetadata;
  items?: T[];
}

interface PageRequest<T> {
  /** How failures name this page's request. */
  description: string;
  answer: Promise<List<T>>;
  /** Known from the answer's first bytes, or else from the whole page. */
  continueToken: Promise<string | undefined>;
  /** Settles when the request has been written (or has failed). */
  sent: Promise<unknown>;
}

/** Pages of one listing: 5 million pods at 500 a page. */
export const MAX_LIST_PAGES = 10_000;
/** Retries of a page the API server answered 429 or 5xx, with backoff, within the cluster's budget. */
const MAX_RETRIES = 4;
const TRANSIENT_STATUSES = new Set([429, 500, 502, 503, 504]);

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
  const page = (token: string | undefined, number: number): PageRequest<T> => {
    const params = new URLSearchParams({ ...query, limit: String(options.pageSize) });
    const description = `GET ${path}?${params}${token ? '&continue=…' : ''} (page ${number})`;
    if (token) params.set('continue', token);
    let sent: () => void = () => undefined;
    let metadataRead: (metadata: ListMetadata) => void = () => undefined;
    const whenSent = new Promise<void>((resolve) => (sent = resolve));
    const earlyMetadata = new Promise<ListMetadata>((resolve) => (metadataRead = resolve));
    const get: GetRequest = { pathAndQuery: `${path}?${params}`, description, agent: options.agent, signal, limits: options.limits ?? DEFAULT_REQUEST_LIMITS, onSent: sent, onChunk: metadataFinder(metadataRead) };
    const answer = getWithRetries(kc, get, options.deadline, options.now ?? systemClock).then((text) => parseList<T>(text, description));
    const continueToken = Promise.race([earlyMetadata, answer.then((list) => list.metadata ?? {})]).then((m) => m.continue || undefined);
    // Awaited below; a page nobody reads (the caller stopped) must not go unhandled.
    answer.catch(() => undefined);
    continueToken.catch(() => undefined);
    return { description, answer, continueToken, sent: Promise.race([whenSent, answer.catch(() => undefined)]) };
  };
  /** Continue tokens asked with so far, and the page that named each. */
  const tokens = new Map<string, number>();
  let number = 1;
  let current: PageRequest<T> | undefined = page(undefined, number);
  try {
    while (current) {
      const token: string | undefined = await current.continueToken;
      if (token !== undefined) {
        const earlier = tokens.get(token);
        if (earlier !== undefined) throw new KubernetesRequestError(`${current.description}: the Kubernetes API answered with the continue token page ${earlier} had already given; the listing would never end`);
        if (number >= MAX_LIST_PAGES) throw new KubernetesRequestError(`${current.description}: the listing went on past ${MAX_LIST_PAGES} pages`);
        tokens.set(token, number);
      }
      const next: PageRequest<T> | undefined = token ? page(token, number + 1) : undefined;
      // Credentials are applied asynchronously: wait until the request is written, so that it
      // is not held back by the work on this page.
      await next?.sent;
      const list: List<T> = await current.answer;
      if ((list.metadata?.continue || undefined) !== token) throw new KubernetesRequestError(`${current.description}: the Kubernetes API answered with a page whose continue token is not the one it began with`);
      yield list.items ?? [];
      current = next;
      number += 1;
    }
  } finally {
    stop.abort(); // a prefetched page the caller will not read
  }
}

/** A transient error answer (429, 5xx) is asked again after its capped Retry-After or a backoff, unless that waits past `deadline`. */
async function getWithRetries(kc: KubeConfig, get: GetRequest, deadline: number | undefined, now: Clock): Promise<string> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await getKubernetesText(kc, attempt === 1 ? get : { ...get, onSent: undefined });
    } catch (error) {
      if (!(error instanceof KubernetesRequestError) || !TRANSIENT_STATUSES.has(error.code ?? 0)) throw error;
      if (attempt > MAX_RETRIES) throw new KubernetesRequestError(`${error.message} (asked ${attempt} times)`, { code: error.code, headers: error.headers });
      const asked = cappedRetryAfterMs({ get: (name) => [error.headers[name]].flat()[0] }, MAX_RETRY_AFTER_MS, now());
      if (asked === 'too-long') throw new KubernetesRequestError(`${error.message}, and asked to wait longer than ${formatDuration(MAX_RETRY_AFTER_MS)}`, { code: error.code });
      const wait = asked ?? backoffMs(attempt);
      if (deadline !== undefined && now() + wait >= deadline) {
        throw new KubernetesRequestError(`${error.message}, and waiting ${formatDuration(wait)} to ask again would go past the cluster's time budget`, { code: error.code });
      }
      await abortableSleep(wait, get.signal);
    }
  }
}

/** 0.5 s, 1 s, 2 s, 4 s, each within ±20 % so that many clients do not retry in step. */
function backoffMs(attempt: number): number {
  return Math.round(500 * 2 ** (attempt - 1) * (0.8 + Math.random() * 0.4));
}

function parseList<T>(text: string, description: string): List<T> {
  let list: unknown;
  try {
    list = JSON.parse(text);
  } catch {
    throw new KubernetesRequestError(`${description}: the answer is not JSON`);
  }
  if (!list || typeof list !== 'object' || Array.isArray(list)) throw new KubernetesRequestError(`${description}: the answer is not a list object`);
  const { items, metadata } = list as { items?: unknown; metadata?: unknown };
  if (items !== undefined && items !== null && !Array.isArray(items)) throw new KubernetesRequestError(`${description}: the answer's items are not a list`);
  if (metadata !== undefined && (metadata === null || typeof metadata !== 'object')) throw new KubernetesRequestError(`${description}: the answer's metadata is not an object`);
  return list as List<T>;
}

/** Looks for the list's metadata in the first bytes of an answer, as they arrive (see listMetadataFromHead). */
function metadataFinder(found: (metadata: ListMetadata) => void): (chunks: readonly Buffer[], bytes: number) => void {
  let looking = true;
  return (chunks, bytes) => {
    if (!looking) return;
    const metadata = listMetadataFromHead(Buffer.concat(chunks as Buffer[]).subarray(0, LIST_HEAD_MAX_BYTES).toString('utf8'));
    if (metadata) found(metadata);
    if (metadata || bytes >= LIST_HEAD_MAX_BYTES) looking = false;
  };
}

/** The running pods of every namespace. */
export function runningPodPages(kc: KubeConfig, options: ListPageOptions): AsyncGenerator<V1Pod[], void> {
  return listPages<V1Pod>(kc, '/api/v1/pods', { fieldSelector: 'status.phase=Running' }, options);
}
