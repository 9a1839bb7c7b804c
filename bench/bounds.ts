/**
 * Lower bounds for one scan of a benchmark estate: how many requests any correct scan must
 * send, and how long it must take at the configured concurrency when every request costs
 * `latencyMs`. Pure functions of the estate model (estate.ts) and the scan's parameters, so
 * the figures can be checked in unit tests and compared with what the emulators counted.
 *
 * The model of a scan that the bounds assume (the product's design, stated once here):
 * - clusters are listed one at a time, in CLUSTERS order (so that only one cluster's pages
 *   are in memory); within a cluster only true data dependencies order the requests, and a
 *   cluster's ARM reads may go out while an earlier cluster is listed;
 * - each repository's registry lookup starts when its first image is seen on a pod page
 *   (not before: the repositories are only known from the pods), at most `acrConcurrency`
 *   lookups run at once, and a repository is looked up once per run, whatever the number of
 *   clusters and workloads that run it;
 * - a registry's refresh token is exchanged when the scan starts only when the registry is an
 *   ACR login server (`*.azurecr.io` and the sovereign clouds' suffixes); any other host, the
 *   emulators' `127.0.0.1:port` included, is exchanged on its first lookup, so the first
 *   repositories of each registry wait for the exchange (`exchangeAtStart`, default false);
 * - one tag walk per repository and run answers every tag pattern in use for it (TAG_PATTERN and
 *   the patterns workloads, namespaces and clusters give themselves): its pages up to the
 *   deepest newest match among those patterns, or up to ACR_MAX_RESULTS tags when one of them
 *   has none among them; a container that is not watched (its workload opted out) looks
 *   nothing up, and its settings cost no request (they come in the pod and namespace lists
 *   and the cluster read already counted).
 */
import type { EstateModel, RepositoryModel } from './estate.js';
import { SYSTEM_NAMESPACE } from './estate.js';
import { BENCH_TAG_PATTERN, newestMatchIndex } from './overrides.js';

export interface ScanParameters {
  latencyMs: number;
  acrConcurrency: number;
  /** `limit` of each Kubernetes list request. */
  kubernetesPageSize: number;
  /** `n` of each ACR tag list request. */
  acrPageSize: number;
  /** ACR_MAX_RESULTS: at most this many tags are examined per repository. */
  acrMaxResults: number;
  /** Most repository scopes one ACR access token request may name (see src/registry). */
  maxScopesPerToken: number;
  excludedNamespaces: ReadonlySet<string>;
  /** Reads per second each registry serves before answering 429 (the emulator's token bucket holds one second's worth). */
  acrReadsPerSecond?: number;
  /** The registries are ACR login servers, exchanged when the scan starts; otherwise (default) on their first lookup. */
  exchangeAtStart?: boolean;
}

export interface RequestBounds {
  kubernetesNamespacePages: number;
  kubernetesPodPages: number;
  armRequests: number;
  identityTokens: number;
  acrExchanges: number;
  acrAccessTokens: number;
  acrTagPages: number;
  total: number;
}

export interface Reveal {
  cluster: number;
  /** 1-based pod page of that cluster. */
  page: number;
  registry: number;
  repositories: number[];
}

export interface Bounds {
  requests: RequestBounds;
  wallMs: number;
  /** The terms of the wall-time bound, for the report. */
  wallTerms: { listingMs: number; longestChainMs: number; throughputMs: number; rateLimitMs: number };
  reveals: Reveal[];
  /** Distinct repositories looked up. */
  repositoriesLookedUp: number;
}

const ceilDiv = (a: number, b: number): number => Math.ceil(a / b);

/**
 * Tag pages needed to find a repository's newest tag matching each of `patterns`, walking
 * newest first, in one walk: the page that holds the deepest of those matches; when a pattern
 * has none, every page up to ACR_MAX_RESULTS tags (an empty repository still answers one page).
 */
export function tagPagesNeeded(repo: RepositoryModel, params: Pick<ScanParameters, 'acrPageSize' | 'acrMaxResults'>, patterns: Iterable<string> = [BENCH_TAG_PATTERN]): number {
  let examined = 0;
  for (const pattern of patterns) {
    const newest = newestMatchIndex(repo, pattern);
    examined = Math.max(examined, newest === null ? Math.min(repo.tags.length, params.acrMaxResults) : Math.min(newest + 1, params.acrMaxResults));
  }
  return Math.max(1, ceilDiv(examined, params.acrPageSize));
}

/** The tag patterns each repository is asked under by the containers that look it up. */
function patternsInUse(estate: EstateModel, excluded: ReadonlySet<string>): Map<number, Set<string>> {
  const patterns = new Map<number, Set<string>>();
  for (const cluster of estate.clusters) {
    for (const w of cluster.workloads) {
      if (excluded.has(w.namespace)) continue;
      for (const c of w.containers) {
        if (c.repository === undefined || c.watched === false) continue;
        let set = patterns.get(c.repository);
        if (!set) patterns.set(c.repository, (set = new Set()));
        set.add(c.pattern ?? BENCH_TAG_PATTERN);
      }
    }
  }
  return patterns;
}

/** Which repositories each pod page reveals for the first time in the run, per registry. */
export function revealsOf(estate: EstateModel, params: Pick<ScanParameters, 'kubernetesPageSize' | 'excludedNamespaces'>): Reveal[] {
  const seen = new Set<number>();
  const reveals: Reveal[] = [];
  estate.clusters.forEach((cluster, c) => {
    let podIndex = 0;
    for (const w of cluster.workloads) {
      for (let r = 0; r < w.replicas; r++, podIndex++) {
        if (params.excludedNamespaces.has(w.namespace)) continue;
        const page = Math.floor(podIndex / params.kubernetesPageSize) + 1;
        for (const container of w.containers) {
          if (container.repository === undefined || container.watched === false || seen.has(container.repository)) continue;
          seen.add(container.repository);
          const registry = (estate.repositories[container.repository] as RepositoryModel).registry;
          let reveal = reveals.find((x) => x.cluster === c && x.page === page && x.registry === registry);
          if (!reveal) reveals.push((reveal = { cluster: c, page, registry, repositories: [] }));
          reveal.repositories.push(container.repository);
        }
      }
    }
  });
  return reveals;
}

export function computeBounds(estate: EstateModel, params: ScanParameters): Bounds {
  const reveals = revealsOf(estate, params);
  // ACR tag pages: per distinct repository, once per run, the pages up to the newest match of every pattern in use.
  const pagesOf = new Map<number, number>();
  const patterns = patternsInUse(estate, params.excludedNamespaces);
  for (const i of reveals.flatMap((r) => r.repositories)) pagesOf.set(i, tagPagesNeeded(estate.repositories[i] as RepositoryModel, params, patterns.get(i)));
  const requests = requestBounds(estate, params, reveals, pagesOf);
  const { pageArrival, listingMs } = listingChain(estate, params);
  const tokenReady = tokenReadyTimes(reveals, pageArrival, params);
  const wallTerms = {
    listingMs,
    longestChainMs: longestRepositoryChain(reveals, pagesOf, tokenReady, params.latencyMs),
    throughputMs: registryThroughput(reveals, pagesOf, tokenReady, params),
    rateLimitMs: registryReadRate(reveals, pagesOf, params.acrReadsPerSecond),
  };
  const wallMs = Math.max(wallTerms.listingMs, wallTerms.longestChainMs, wallTerms.throughputMs, wallTerms.rateLimitMs);
  return { requests, wallMs, wallTerms, reveals, repositoriesLookedUp: pagesOf.size };
}

/** The fewest requests of each kind any correct scan sends. */
function requestBounds(estate: EstateModel, params: ScanParameters, reveals: Reveal[], pagesOf: Map<number, number>): RequestBounds {
  // Kubernetes: a list answers at most `limit` items, so ceil(items / limit) pages, and one
  // page even for an empty list. Namespaces are listed for the Slack channel labels. Pods in
  // excluded namespaces still travel: no field selector can exclude a set of namespaces.
  const namespacePages = estate.clusters.reduce((n, c) => n + Math.max(1, ceilDiv(c.namespaces.length, params.kubernetesPageSize)), 0);
  const podPages = estate.clusters.reduce((n, c) => n + Math.max(1, ceilDiv(c.runningPods, params.kubernetesPageSize)), 0);
  // ARM, per cluster: the cluster itself (Entra-enabled or local accounts, private FQDN) and its
  // user kubeconfig (API server URL and CA); neither answer holds the other's facts.
  const armRequests = 2 * estate.clusters.length;
  // Managed identity: one token per resource for the token's lifetime (an hour; a scan is far
  // shorter): ARM, the AKS server application, and ACR when registries are configured.
  const registriesConfigured = estate.options.registries;
  const identityTokens = 2 + (registriesConfigured > 0 ? 1 : 0);
  // ACR exchange: one refresh token per registry (valid 3 hours, longer than any scan): for
  // every configured registry when the scan starts (ACR login servers), else for each registry
  // a pod uses, on its first lookup.
  const acrExchanges = params.exchangeAtStart ? registriesConfigured : new Set(reveals.map((r) => r.registry)).size;
  // ACR access tokens: a token names the repositories it covers, and repositories are known
  // only as pod pages reveal them. A token asked for when page k arrives cannot name what later
  // pages reveal, and waiting for later pages would hold lookups back, so a scan that starts
  // each lookup as soon as its repository is seen needs one token request per (registry, page
  // that reveals new repositories of that registry), split when a page reveals more
  // repositories than one token request may name. (Pages that arrive together, read in the same
  // tick, share a token request: with latency that does not happen.)
  const acrAccessTokens = reveals.reduce((n, r) => n + ceilDiv(r.repositories.length, params.maxScopesPerToken), 0);
  const acrTagPages = [...pagesOf.values()].reduce((a, b) => a + b, 0);
  return {
    kubernetesNamespacePages: namespacePages,
    kubernetesPodPages: podPages,
    armRequests,
    identityTokens,
    acrExchanges,
    acrAccessTokens,
    acrTagPages,
    total: namespacePages + podPages + armRequests + identityTokens + acrExchanges + acrAccessTokens + acrTagPages,
  };
}

/**
 * The listing chain: when each pod page arrives (`${cluster}/${page}` -> ms) and when the last
 * cluster is listed. The first ARM request waits for the ARM token (L); a cluster's ARM get and
 * credentials are independent (L together); the AKS token can be fetched meanwhile. A later
 * cluster's ARM reads depend on nothing listed, so they can be done while an earlier cluster is
 * listed: only the first cluster's are on the chain. The namespace and pod lists are
 * independent of each other; pod pages are a chain (each page carries the continue token of the
 * next).
 */
function listingChain(estate: EstateModel, params: ScanParameters): { pageArrival: Map<string, number>; listingMs: number } {
  const L = params.latencyMs;
  const pageArrival = new Map<string, number>();
  let t = 2 * L; // ARM token, then the first cluster's ARM get and credentials
  estate.clusters.forEach((cluster, c) => {
    const start = t;
    const pages = Math.max(1, ceilDiv(cluster.runningPods, params.kubernetesPageSize));
    for (let p = 1; p <= pages; p++) pageArrival.set(`${c}/${p}`, start + p * L);
    t = start + Math.max(pages, Math.max(1, ceilDiv(cluster.namespaces.length, params.kubernetesPageSize))) * L;
  });
  return { pageArrival, listingMs: t };
}

/**
 * When each reveal's access token is ready: seen at its page's arrival, then its token request
 * (L; the identity token can come earlier, it needs nothing from the pods; so can the exchange
 * of an ACR login server, while any other registry's first reveal waits for its exchange, L
 * more). A registry's later reveals come at least a page later, after its exchange.
 */
function tokenReadyTimes(reveals: Reveal[], pageArrival: Map<string, number>, params: ScanParameters): (r: Reveal) => number {
  const L = params.latencyMs;
  const firstOfRegistry = new Set(reveals.filter((r) => reveals.find((x) => x.registry === r.registry) === r));
  return (r) => (pageArrival.get(`${r.cluster}/${r.page}`) ?? 0) + L + (!params.exchangeAtStart && firstOfRegistry.has(r) ? L : 0);
}

/** Each repository's token, then its tag pages one after the other (each page's Link names the next). */
function longestRepositoryChain(reveals: Reveal[], pagesOf: Map<number, number>, tokenReady: (r: Reveal) => number, latencyMs: number): number {
  let longestChainMs = 0;
  for (const r of reveals) for (const i of r.repositories) longestChainMs = Math.max(longestChainMs, tokenReady(r) + (pagesOf.get(i) ?? 0) * latencyMs);
  return longestChainMs;
}

/** Tag pages of repositories whose token is ready at or after time s cannot start before s, and at most acrConcurrency run at once. */
function registryThroughput(reveals: Reveal[], pagesOf: Map<number, number>, tokenReady: (r: Reveal) => number, params: ScanParameters): number {
  const byReady = reveals.map((r) => ({ at: tokenReady(r), pages: r.repositories.reduce((n, i) => n + (pagesOf.get(i) ?? 0), 0) })).sort((a, b) => a.at - b.at);
  let throughputMs = 0;
  let remaining = byReady.reduce((n, x) => n + x.pages, 0);
  for (const x of byReady) {
    throughputMs = Math.max(throughputMs, x.at + ceilDiv(remaining, params.acrConcurrency) * params.latencyMs);
    remaining -= x.pages;
  }
  return throughputMs;
}

/** A throttling registry serves its burst (one second's worth of reads) at once, then `rate` reads a second: its tag pages cannot all be read sooner. */
function registryReadRate(reveals: Reveal[], pagesOf: Map<number, number>, rate: number | undefined): number {
  if (!rate) return 0;
  let rateLimitMs = 0;
  const readsOf = new Map<number, number>();
  for (const r of reveals) readsOf.set(r.registry, (readsOf.get(r.registry) ?? 0) + r.repositories.reduce((n, i) => n + (pagesOf.get(i) ?? 0), 0));
  for (const reads of readsOf.values()) rateLimitMs = Math.max(rateLimitMs, Math.ceil(((reads - rate) / rate) * 1000));
  return rateLimitMs;
}

/** Default namespaces excluded by the product (only kube-system occurs in the estate). */
export const BENCH_EXCLUDED = new Set([SYSTEM_NAMESPACE]);
