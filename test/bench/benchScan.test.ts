/**
 * The benchmark's production-path scan on a small estate, in this process: every request kind
 * costs exactly its lower bound (no challenge, one exchange per registry, one token request per
 * pod page that reveals repositories of a registry, only the tag pages up to each newest
 * release, once per run), the findings are the ones the estate implies, and under registry
 * throttling the scan slows down and still finishes with every answer. Counts, not timings.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BENCH_EXCLUDED, computeBounds, type ScanParameters } from '../../bench/bounds.js';
import { buildEstate, expectedStatuses } from '../../bench/estate.js';
import { addOverrides, overrideCounts } from '../../bench/overrides.js';
import { startBenchHarness, type BenchHarness } from '../../bench/harness.js';
import { scanOnce, type ScanFigures } from '../../bench/scanOnce.js';
import { ensureTestPki } from '../../emulators/testPki.js';
import { DEFAULT_PAGE_SIZE } from '../../src/inventory/kubernetesInventory.js';
import { tagPageSize } from '../../src/registry/acrTagLookup.js';
import { MAX_SCOPES_PER_TOKEN } from '../../src/registry/acrScopeBatch.js';

const savedEnv = { ...process.env };
afterAll(() => {
  process.env = savedEnv;
});

function withEnv(env: Record<string, string>): Record<string, string | undefined> {
  for (const key of Object.keys(process.env)) if (/^(SLACK_|CLUSTER|REGISTRIES|TAG_PATTERN|ACR_CONCURRENCY|ACR_MAX_RESULTS|EXCLUDED_|SCAN_|AZURE_CLIENT_ID)/.test(key)) delete process.env[key];
  // IDENTITY_ENDPOINT must be in this process's environment for the identity library.
  Object.assign(process.env, env);
  return process.env;
}

describe('a benchmark scan of a small estate, with settings of its own', () => {
  const estate = buildEstate({ clusters: 3, podsPerCluster: 1200, repositories: 60, registries: 2, tagsPerRepository: 300 });
  addOverrides(estate);
  // Some latency, as over a network, so that pod pages arrive apart: pages read in the same tick
  // share one ACR token request, fewer than the bound counts (one per revealing page). 40 ms
  // rather than 10: on a loaded machine a starved event loop read two 10 ms-apart pages at once.
  const latencyMs = 40;
  const params: ScanParameters = {
    latencyMs,
    acrConcurrency: 4,
    kubernetesPageSize: DEFAULT_PAGE_SIZE,
    acrPageSize: tagPageSize(300),
    acrMaxResults: 300,
    maxScopesPerToken: MAX_SCOPES_PER_TOKEN,
    excludedNamespaces: BENCH_EXCLUDED,
  };
  const bounds = computeBounds(estate, params);
  let harness: BenchHarness;
  let figures: ScanFigures;
  let counts: ReturnType<BenchHarness['counts']>;

  beforeAll(async () => {
    harness = await startBenchHarness(estate, { pki: ensureTestPki(), latencyMs, acrConcurrency: 4, acrMaxResults: 300 });
    figures = await scanOnce(withEnv(harness.env));
    counts = harness.counts();
  });
  afterAll(async () => {
    await harness?.close();
  });

  it('finds what the estate implies, in every cluster, its settings of their own included', () => {
    expect(figures.clustersFailed).toBe(0);
    expect(figures.warnings).toBe(0);
    expect(figures.statuses).toMatchObject(expectedStatuses(estate));
    expect(bounds.repositoriesLookedUp).toBe(60);
    const own = overrideCounts(estate);
    expect(own.configuredClusters).toBe(1);
    expect(own.annotatedWorkloads / own.workloads).toBeGreaterThan(0.1);
    expect(own.optedOutWorkloads).toBeGreaterThan(0);
  });

  it('sends exactly the lower bound of requests of every kind', () => {
    const b = bounds.requests;
    expect(counts).toEqual({
      kubernetesNamespacePages: b.kubernetesNamespacePages,
      kubernetesPodPages: b.kubernetesPodPages,
      kubernetesOther: 0,
      armRequests: b.armRequests,
      identityTokens: b.identityTokens,
      acrExchanges: 2,
      acrAccessTokens: b.acrAccessTokens,
      acrChallenges: 0,
      acrTagPages: b.acrTagPages,
      acrManifests: 0,
      acrThrottled: 0,
      acrOther: 0,
      total: b.total,
    });
    // Tokens are shared: far fewer token requests than repositories; one tags page per repository.
    expect(b.acrAccessTokens).toBeLessThan(bounds.repositoriesLookedUp / 2);
    expect(b.acrTagPages).toBe(bounds.repositoriesLookedUp);
  });

  it('reuses every token in the next scan of the same process (a warm instance)', async () => {
    const mark = harness.mark();
    const again = await scanOnce(withEnv(harness.env));
    const warm = harness.counts(mark);
    expect(again.statuses).toEqual(figures.statuses);
    expect(warm).toMatchObject({ identityTokens: 0, acrExchanges: 0, acrAccessTokens: 0, acrChallenges: 0 });
    // The answers themselves are not cached between scans: a new release must be seen.
    expect(warm.acrTagPages).toBe(bounds.requests.acrTagPages);
  });
});

describe('a benchmark scan against throttling registries', () => {
  const estate = buildEstate({ clusters: 1, podsPerCluster: 300, repositories: 30, registries: 2, tagsPerRepository: 150, seed: 7 });
  let harness: BenchHarness;
  let figures: ScanFigures;
  let counts: ReturnType<BenchHarness['counts']>;

  beforeAll(async () => {
    // Each registry serves 5 reads a second; the scan needs about 15 from each.
    harness = await startBenchHarness(estate, { pki: ensureTestPki(), latencyMs: 0, acrConcurrency: 8, acrMaxResults: 150, acrReadsPerSecond: 5 });
    figures = await scanOnce(withEnv(harness.env));
    counts = harness.counts();
  });
  afterAll(async () => {
    await harness?.close();
  });

  it('is throttled, waits, and still answers every repository', () => {
    expect(counts.acrThrottled).toBeGreaterThan(0);
    expect(figures.clustersFailed).toBe(0);
    expect(figures.statuses.error).toBe(0);
    expect(figures.statuses).toMatchObject(expectedStatuses(estate));
  });

  it('pauses the registry after a 429 instead of letting every lookup run into it', () => {
    const bounds = computeBounds(estate, {
      latencyMs: 0,
      acrConcurrency: 8,
      kubernetesPageSize: DEFAULT_PAGE_SIZE,
      acrPageSize: tagPageSize(150),
      acrMaxResults: 150,
      maxScopesPerToken: MAX_SCOPES_PER_TOKEN,
      excludedNamespaces: BENCH_EXCLUDED,
    });
    expect(counts.acrTagPages).toBe(bounds.requests.acrTagPages);
    // Without the pause, each of the 8 concurrent lookups would meet a 429 on nearly every try.
    expect(counts.acrThrottled).toBeLessThan(bounds.requests.acrTagPages);
  });
});
