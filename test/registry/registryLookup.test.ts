import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AcrRegistryEmulator, AcrTagSeed } from '../../emulators/acrRegistry.js';
import { makePod, startKubernetesApi } from '../../emulators/kubernetesApi.js';
import { ACR_RESOURCE, digestOf } from '../../emulators/sandbox.js';
import { ensureTestPki } from '../../emulators/testPki.js';
import { kubeconfigClusterSource } from '../../src/clusters/kubeconfigSource.js';
import { silentLogger } from '../../src/log/logger.js';
import { scanClusters } from '../../src/scan/scanClusters.js';
import { registryLookup, startRegistryFixture, type RegistryFixture } from '../support/registryFixture.js';
import { testSettings } from '../support/scanSettings.js';

const HOUR = 3_600_000;
const base = Date.parse('2026-11-01T00:00:00Z');
/** 300 tags, newest first by time: a release every 25th tag, the newest release at position 130. */
function tags(): AcrTagSeed[] {
  return Array.from({ length: 300 }, (_, i) => {
    const release = i >= 130 && (i - 130) % 25 === 0;
    const name = release ? `prod-${1000 - i}` : `build-${1000 - i}`;
    return { name, digest: digestOf(name), lastUpdateTime: new Date(base - i * HOUR).toISOString() };
  });
}

/** A multi-arch index and one of its platform manifests. */
const INDEX = digestOf('multi-index');
const AMD64 = digestOf('multi-amd64');

let fixture: RegistryFixture;
let registry: AcrRegistryEmulator;

beforeAll(async () => {
  fixture = await startRegistryFixture({
    'team/app/api': tags(),
    'team/deep': Array.from({ length: 1200 }, (_, i) => {
      const name = i === 1100 ? 'prod-deep' : `build-${i}`;
      return { name, digest: digestOf(name), lastUpdateTime: new Date(base - i * HOUR).toISOString() };
    }),
    'team/other': [{ name: 'prod-1', digest: digestOf('o1'), lastUpdateTime: new Date(base).toISOString() }],
    'team/throttled': [{ name: 'prod-9', digest: digestOf('t9'), lastUpdateTime: new Date(base).toISOString() }],
    'team/multi': [{ name: 'prod-2', digest: INDEX, lastUpdateTime: new Date(base).toISOString() }],
  });
  registry = fixture.registry;
  registry.setManifest(INDEX, { references: [{ digest: AMD64 }, { digest: digestOf('multi-arm64'), architecture: 'arm64' }] });
});
afterAll(() => fixture.close());

const lookup = (maxResults = 200) => registryLookup(registry, { maxResults });

function tagPages(repo: string): number {
  return registry.requests.filter((r) => r.kind === 'tags-page' && r.status === 200 && decodeURIComponent(r.path).includes(`/acr/v1/${repo}/_tags`)).length;
}

describe('registry lookup through @azure/container-registry', () => {
  it('walks tags newest-first, stops at the first release tag, and caches the answer for the scan', async () => {
    const l = lookup(200);
    const before = tagPages('team/app/api');
    const [first, second] = await Promise.all([l.newestMatchingTag(registry.loginServer, 'team/app/api'), l.newestMatchingTag(registry.loginServer, 'team/app/api')]);
    expect(first).toEqual({
      kind: 'found',
      newest: { name: 'prod-870', digest: digestOf('prod-870'), lastUpdatedOn: new Date(base - 130 * HOUR) },
      examined: 131,
    });
    expect(second).toBe(first);
    await l.newestMatchingTag(registry.loginServer, 'team/app/api');
    // One page of ACR_MAX_RESULTS (200) tags: the match at position 131 is on it, and nothing
    // is fetched again for the cached answer.
    expect(tagPages('team/app/api') - before).toBe(1);
    expect(l.repositoriesLookedUp).toBe(1);
  });

  it('examines no more than ACR_MAX_RESULTS tags', async () => {
    const l = lookup(100);
    const before = tagPages('team/app/api');
    const result = await l.newestMatchingTag(registry.loginServer, 'team/app/api');
    expect(result.kind).toBe('no-match'); // the release is the 131st tag, ACR_MAX_RESULTS is 100
    expect(result).toMatchObject({ examined: 100 });
    expect(tagPages('team/app/api') - before).toBe(1);
  });

  it('follows Link pages when the newest release lies beyond ACR\'s largest page (1000 tags)', async () => {
    const before = tagPages('team/deep');
    const result = await lookup(1500).newestMatchingTag(registry.loginServer, 'team/deep');
    expect(result).toMatchObject({ kind: 'found', newest: { name: 'prod-deep' }, examined: 1101 });
    expect(tagPages('team/deep') - before).toBe(2);
  });

  it('reports unknown repositories as such, not as errors', async () => {
    expect(await lookup().newestMatchingTag(registry.loginServer, 'team/missing')).toEqual({ kind: 'unknown-repository' });
  });

  it('waits out 429 throttling (Retry-After) and still answers', async () => {
    registry.throttleNext(2, 1);
    const result = await lookup().newestMatchingTag(registry.loginServer, 'team/throttled');
    expect(result).toMatchObject({ kind: 'found', newest: { name: 'prod-9' } });
    expect(registry.requests.filter((r) => r.kind === 'throttled').length).toBeGreaterThanOrEqual(2);
  });

  it('exchanges only the identity token for the registry scope, once per registry', async () => {
    const exchangesBefore = registry.stats().exchange;
    const l = lookup();
    await l.newestMatchingTag(registry.loginServer, 'team/other');
    await l.newestMatchingTag(registry.loginServer, 'team/app/api');
    expect(registry.stats().exchange - exchangesBefore).toBeLessThanOrEqual(1);
    expect(fixture.identity.tokensIssued.length).toBeGreaterThan(0);
    expect(fixture.identity.tokensIssued.every((t) => t.resource.replace(/\/$/, '') === ACR_RESOURCE)).toBe(true);
  });

  it('never sends a credential to a registry outside REGISTRIES', async () => {
    const result = await lookup().newestMatchingTag('evil.example.com', 'team/other');
    expect(result).toMatchObject({ kind: 'error' });
    expect((result as { reason: string }).reason).toContain('not in REGISTRIES');
  });

  it('turns a refused token exchange into an error that names the missing role', async () => {
    const denied = await fixture.startRegistry({ validateEntraToken: () => false, repositories: { a: [] } });
    const result = await registryLookup(denied, { maxResults: 10, concurrency: 1 }).newestMatchingTag(denied.loginServer, 'a');
    expect(result.kind).toBe('error');
    expect((result as { reason: string }).reason).toMatch(/401.*AcrPull/);
  });
});

describe('platform manifests of a multi-arch index', () => {
  it('lists the platform manifests, after another attempt when the first read fails', async () => {
    registry.injectFault('manifest', { kind: 'status', status: 500 }, { times: 1 });
    expect(await lookup().platformManifests(registry.loginServer, 'team/multi', INDEX)).toEqual({ kind: 'ok', digests: [AMD64, digestOf('multi-arm64')] });
  });

  it('says that a manifest could not be read, and why, instead of listing nothing', async () => {
    registry.injectFault('manifest', { kind: 'status', status: 403 });
    try {
      expect(await lookup().platformManifests(registry.loginServer, 'team/multi', INDEX)).toEqual({
        kind: 'error',
        reason: `manifest read of ${registry.loginServer}/team/multi@${INDEX.slice(0, 19)} failed: HTTP 403: DENIED injected fault (403) (does the identity have AcrPull, or Container Registry Repository Reader in repository-permission mode, on this registry?)`,
      });
    } finally {
      registry.clearFaults();
    }
  });

  it('makes the finding an error, not stale-digest, when the pods run the newest tag under a digest that cannot be checked', async () => {
    const kubernetes = await startKubernetesApi({
      pki: ensureTestPki(),
      namespaces: [{ name: 'apps' }],
      pods: [makePod({ namespace: 'apps', name: 'web-0', containers: [{ name: 'web', image: `${registry.loginServer}/team/multi:prod-2`, imageID: `${registry.loginServer}/team/multi@${AMD64}` }] })],
    });
    const dir = mkdtempSync(join(tmpdir(), 'acr-aks-sync-manifest-'));
    const scan = async () => {
      const report = await scanClusters([kubeconfigClusterSource({ path: join(dir, 'kubeconfig.yaml') })], {
        registries: new Set([registry.loginServer]),
        settings: testSettings(),
        lookup: lookup(),
        clusterTimeoutMs: 60_000,
        logger: silentLogger,
      });
      return report.clusters[0]?.findings[0];
    };
    try {
      kubernetes.writeKubeconfig(join(dir, 'kubeconfig.yaml'));
      // The pods run a platform manifest of the newest tag's index: in sync.
      expect(await scan()).toMatchObject({ status: 'in-sync', latestTag: 'prod-2' });
      registry.injectFault('manifest', { kind: 'status', status: 403 });
      const finding = await scan();
      expect(finding).toMatchObject({ status: 'error', deployedTag: 'prod-2' });
      expect(finding?.reason).toBe(`cannot tell whether the pods run newest prod-2: manifest read of ${registry.loginServer}/team/multi@${INDEX.slice(0, 19)} failed: HTTP 403: DENIED injected fault (403) (does the identity have AcrPull, or Container Registry Repository Reader in repository-permission mode, on this registry?)`);
    } finally {
      registry.clearFaults();
      await kubernetes.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
