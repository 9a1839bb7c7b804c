import { describe, expect, it } from 'vitest';
import { BENCH_EXCLUDED, computeBounds, revealsOf, tagPagesNeeded, type ScanParameters } from '../../bench/bounds.js';
import { buildEstate, expectedStatuses, type EstateModel, type RepositoryModel } from '../../bench/estate.js';
import { addOverrides, overrideCounts } from '../../bench/overrides.js';

const params: ScanParameters = {
  latencyMs: 20,
  acrConcurrency: 2,
  kubernetesPageSize: 4,
  acrPageSize: 100,
  acrMaxResults: 300,
  maxScopesPerToken: 2,
  excludedNamespaces: BENCH_EXCLUDED,
};

function repo(index: number, registry: number, tags: number, newestRelease: number | null): RepositoryModel {
  return { index, registry, name: `r${index}`, tags: Array.from({ length: tags }, (_, i) => ({ name: `t${i}`, digest: `d${i}`, ageHours: i })), newestRelease };
}

/** Two clusters, page size 4: cluster 0 has 6 running pods (2 pages), cluster 1 has 3 (1 page). */
function tinyEstate(): EstateModel {
  const c = (repository: number) => [{ name: 'app', repository, tag: 'prod-1', digest: 'x', expected: 'in-sync' as const }];
  return {
    options: { clusters: 2, podsPerCluster: 6, repositories: 4, registries: 2, tagsPerRepository: 300, namespacesPerCluster: 1, seed: 1 },
    repositories: [repo(0, 0, 300, 5), repo(1, 1, 300, 150), repo(2, 0, 300, null), repo(3, 1, 40, null)],
    clusters: [
      {
        name: 'a',
        namespaces: [{ name: 'team', labels: {} }, { name: 'kube-system', labels: {} }],
        runningPods: 6,
        workloads: [
          { namespace: 'kube-system', name: 'dns', replicas: 1, hash: 'h', containers: c(3) }, // excluded: reveals nothing
          { namespace: 'team', name: 'w1', replicas: 3, hash: 'h', containers: c(0) },
          { namespace: 'team', name: 'w2', replicas: 2, hash: 'h', containers: [...c(1), { name: 'side', repository: 2, tag: 'prod-1', digest: 'y', expected: 'untracked' as const }] },
        ],
      },
      {
        name: 'b',
        namespaces: [{ name: 'team', labels: {} }],
        runningPods: 3,
        workloads: [{ namespace: 'team', name: 'w3', replicas: 3, hash: 'h', containers: [...c(0), ...c(3)] }],
      },
    ],
  };
}

describe('benchmark lower bounds', () => {
  it('counts the tag pages up to the newest release, or up to ACR_MAX_RESULTS without one', () => {
    expect(tagPagesNeeded(repo(0, 0, 300, 0), params)).toBe(1);
    expect(tagPagesNeeded(repo(0, 0, 300, 99), params)).toBe(1);
    expect(tagPagesNeeded(repo(0, 0, 300, 100), params)).toBe(2);
    expect(tagPagesNeeded(repo(0, 0, 300, null), params)).toBe(3);
    expect(tagPagesNeeded(repo(0, 0, 300, null), { ...params, acrMaxResults: 100 })).toBe(1);
    expect(tagPagesNeeded(repo(0, 0, 0, null), params)).toBe(1);
  });

  it('finds the pod page that first reveals each repository, across clusters, skipping excluded namespaces', () => {
    expect(revealsOf(tinyEstate(), params)).toEqual([
      { cluster: 0, page: 1, registry: 0, repositories: [0] }, // pods 1-3 of w1 (pod 0 is kube-system)
      { cluster: 0, page: 2, registry: 1, repositories: [1] }, // w2 starts at pod index 4
      { cluster: 0, page: 2, registry: 0, repositories: [2] },
      { cluster: 1, page: 1, registry: 1, repositories: [3] }, // repository 3 seen only in kube-system before
    ]);
  });

  it('adds up the requests any correct scan of the estate must send', () => {
    const b = computeBounds(tinyEstate(), params);
    expect(b.requests).toEqual({
      kubernetesNamespacePages: 2, // 2 namespaces and 1 namespace, 4 a page
      kubernetesPodPages: 3, // ceil(6/4) + ceil(3/4)
      armRequests: 4,
      identityTokens: 3,
      acrExchanges: 2,
      acrAccessTokens: 4, // one per (page, registry) that reveals repositories
      acrTagPages: 1 + 2 + 3 + 1,
      total: 2 + 3 + 4 + 3 + 2 + 4 + 7,
    });
    expect(b.repositoriesLookedUp).toBe(4);
  });

  it('splits a token request that would name more repositories than one request may', () => {
    const estate = tinyEstate();
    const cluster = estate.clusters[1];
    if (!cluster) throw new Error('no cluster');
    cluster.workloads[0]?.containers.push({ name: 'x', repository: 1, tag: 'prod-1', digest: 'z', expected: 'in-sync' });
    estate.repositories.push(repo(4, 1, 10, 0), repo(5, 1, 10, 0));
    cluster.workloads.push({ namespace: 'team', name: 'w4', replicas: 1, hash: 'h', containers: [{ name: 'a', repository: 4, tag: 'prod-1', digest: 'q', expected: 'in-sync' }, { name: 'b', repository: 5, tag: 'prod-1', digest: 'r', expected: 'in-sync' }] });
    cluster.runningPods = 4;
    // Cluster b, page 1 now reveals repositories 3, 4 and 5 of registry 1: two requests of at most 2 scopes.
    expect(computeBounds(estate, params).requests.acrAccessTokens).toBe(3 + 2);
  });

  it('bounds wall time by the listing chain, the longest repository chain and the registry throughput', () => {
    const b = computeBounds(tinyEstate(), { ...params, exchangeAtStart: true });
    // ARM token 20; cluster a: ARM 20, then 2 pod pages (at 60 and 80); cluster b: its ARM
    // reads done while a was listed, 1 page (at 100).
    expect(b.wallTerms.listingMs).toBe(100);
    // Repository 2: seen on page 2 of cluster a (80) + token 20 + 3 tag pages 60.
    expect(b.wallTerms.longestChainMs).toBe(160);
    // From 60: token 20 and all 7 tag pages, 2 at a time: 60 + 20 + 4 x 20.
    expect(b.wallTerms.throughputMs).toBe(160);
    expect(b.wallMs).toBe(160);
  });

  it('puts each registry\'s exchange on the chain of its first repositories when it is not exchanged at scan start', () => {
    const b = computeBounds(tinyEstate(), params);
    // Repository 1, the first of registry 1: seen at 80 + exchange 20 + token 20 + 2 tag pages;
    // repository 2 (registry 0's exchange is done by then): 80 + 20 + 3 tag pages.
    expect(b.wallTerms.longestChainMs).toBe(160);
    // Registry 0's first repository is ready at 60 + 20 + 20: all 7 tag pages, 2 at a time, from 100.
    expect(b.wallTerms.throughputMs).toBe(180);
    expect(b.wallMs).toBe(180);
    // Both registries are used, so both are exchanged either way; an unused one is not, lazily.
    expect(b.requests.acrExchanges).toBe(2);
    const oneRegistry = tinyEstate();
    oneRegistry.repositories = oneRegistry.repositories.map((r) => ({ ...r, registry: 0 }));
    expect(computeBounds(oneRegistry, params).requests.acrExchanges).toBe(1);
    expect(computeBounds(oneRegistry, { ...params, exchangeAtStart: true }).requests.acrExchanges).toBe(2);
  });

  it('bounds wall time by the read rate of a throttling registry', () => {
    // Registry 0 needs 1 + 3 tag pages, registry 1 needs 2 + 1; 2 reads at once, then 2 a second.
    const b = computeBounds(tinyEstate(), { ...params, acrReadsPerSecond: 2 });
    expect(b.wallTerms.rateLimitMs).toBe(1000);
    expect(b.wallMs).toBe(1000);
    expect(computeBounds(tinyEstate(), params).wallTerms.rateLimitMs).toBe(0);
  });

  it('builds a deterministic estate whose expected findings cover every tracked container', () => {
    const a = buildEstate({ clusters: 2, podsPerCluster: 200, repositories: 20, registries: 2, tagsPerRepository: 300 });
    const b = buildEstate({ clusters: 2, podsPerCluster: 200, repositories: 20, registries: 2, tagsPerRepository: 300 });
    expect(JSON.stringify(a)).toBe(JSON.stringify(b));
    expect(a.clusters.map((c) => c.runningPods)).toEqual([200, 200]);
    expect(a.clusters.map((c) => c.workloads.reduce((n, w) => n + w.replicas, 0))).toEqual([200, 200]);
    const counts = expectedStatuses(a);
    expect(counts['in-sync']).toBeGreaterThan(0);
    expect(counts.drift).toBeGreaterThan(0);
    // Some newest releases sit beyond the first page of 100 tags.
    expect(a.repositories.some((r) => (r.newestRelease ?? 0) >= 100)).toBe(true);
  });

  it('counts one walk per repository for every pattern in use: the pages up to the deepest newest match', () => {
    const named = (names: string[]): RepositoryModel => ({ index: 0, registry: 0, name: 'r', tags: names.map((name, i) => ({ name, digest: `d${i}`, ageHours: i })), newestRelease: names.findIndex((n) => n.startsWith('prod-')) });
    const tags = Array.from({ length: 300 }, (_, i) => (i === 20 ? 'prod-9' : i === 150 ? 'main-1' : i === 250 ? 'prod-4x' : `pr-${i}`));
    expect(tagPagesNeeded(named(tags), params)).toBe(1);
    expect(tagPagesNeeded(named(tags), params, ['prod-*', 'main-*'])).toBe(2);
    expect(tagPagesNeeded(named(tags), params, ['main-*', 'prod-4*', 'prod-*'])).toBe(3);
    expect(tagPagesNeeded(named(tags), params, ['hotfix-*'])).toBe(3); // none: up to ACR_MAX_RESULTS
  });

  it('looks nothing up for a container that is not watched', () => {
    const estate = tinyEstate();
    const w1 = estate.clusters[0]?.workloads[1];
    if (!w1) throw new Error('no workload');
    w1.containers = w1.containers.map((c) => ({ ...c, watched: false, expected: 'untracked' as const }));
    // Repository 0 is now first seen in cluster b.
    expect(revealsOf(estate, params)[0]).toEqual({ cluster: 0, page: 2, registry: 1, repositories: [1] });
    expect(revealsOf(estate, params).some((r) => r.cluster === 1 && r.repositories.includes(0))).toBe(true);
  });

  it('gives the estate a realistic share of settings of their own, with findings that follow from them', () => {
    const estate = buildEstate({ clusters: 3, podsPerCluster: 2000, repositories: 100, registries: 2, tagsPerRepository: 300 });
    const base = expectedStatuses(estate);
    addOverrides(estate);
    const own = overrideCounts(estate);
    expect(own.configuredClusters).toBe(1);
    expect(own.annotatedWorkloads / own.workloads).toBeGreaterThan(0.1);
    expect(own.annotatedWorkloads / own.workloads).toBeLessThan(0.25);
    expect(own.optedOutWorkloads / own.workloads).toBeGreaterThan(0.02);
    const staging = estate.clusters[1]?.workloads.filter((w) => w.namespace !== 'kube-system').flatMap((w) => w.containers) ?? [];
    expect(staging.filter((c) => c.repository !== undefined && c.watched !== false).every((c) => c.pattern === 'main-*')).toBe(true);
    const after = expectedStatuses(estate);
    expect(after.untracked ?? 0).toBeGreaterThan(base.untracked ?? 0);
    // Every container's tag matches the pattern it is decided with, unless it is not watched or untracked by its registry.
    const containers = estate.clusters.flatMap((c) => c.workloads.flatMap((w) => w.containers));
    expect(containers.filter((c) => c.pattern === 'prod-4*' && c.expected !== 'no-release').every((c) => c.tag.startsWith('prod-4'))).toBe(true);
  });
});
