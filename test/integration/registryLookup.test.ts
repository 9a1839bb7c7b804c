import { ManagedIdentityCredential } from '@azure/identity';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/log/logger.js';
import { RegistryTagLookup } from '../../src/registry/acrTagLookup.js';
import { compileTagPattern } from '../../src/registry/tagPattern.js';
import { startAcrRegistry, type AcrRegistryEmulator, type AcrTagSeed } from '../emulators/acrRegistry.js';
import { startManagedIdentityEndpoint, type ManagedIdentityEndpoint } from '../emulators/managedIdentity.js';
import { ACR_RESOURCE, digestOf } from '../emulators/sandbox.js';
import { ensureTestPki } from '../emulators/testPki.js';

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

let identity: ManagedIdentityEndpoint;
let registry: AcrRegistryEmulator;
const savedEnv = { ...process.env };

beforeAll(async () => {
  identity = await startManagedIdentityEndpoint();
  registry = await startAcrRegistry({
    pki: ensureTestPki(),
    validateEntraToken: (token) => identity.validate(token, ACR_RESOURCE),
    repositories: {
      'team/app/api': tags(),
      'team/deep': Array.from({ length: 1200 }, (_, i) => {
        const name = i === 1100 ? 'prod-deep' : `build-${i}`;
        return { name, digest: digestOf(name), lastUpdateTime: new Date(base - i * HOUR).toISOString() };
      }),
      'team/other': [{ name: 'prod-1', digest: digestOf('o1'), lastUpdateTime: new Date(base).toISOString() }],
      'team/throttled': [{ name: 'prod-9', digest: digestOf('t9'), lastUpdateTime: new Date(base).toISOString() }],
    },
  });
  Object.assign(process.env, identity.env);
});
afterAll(async () => {
  process.env = savedEnv;
  await registry.close();
  await identity.close();
});

function lookup(maxResults = 200) {
  return new RegistryTagLookup({
    credential: new ManagedIdentityCredential(),
    registries: [registry.loginServer],
    matchesTagPattern: compileTagPattern('prod-*'),
    maxResults,
    concurrency: 8,
    logger: silentLogger,
  });
}

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
    expect(identity.tokensIssued.length).toBeGreaterThan(0);
    expect(identity.tokensIssued.every((t) => t.resource.replace(/\/$/, '') === ACR_RESOURCE)).toBe(true);
  });

  it('never sends a credential to a registry outside REGISTRIES', async () => {
    const result = await lookup().newestMatchingTag('evil.example.com', 'team/other');
    expect(result).toMatchObject({ kind: 'error' });
    expect((result as { reason: string }).reason).toContain('not in REGISTRIES');
  });

  it('turns a refused token exchange into an error that names the missing role', async () => {
    const denied = await startAcrRegistry({ pki: ensureTestPki(), validateEntraToken: () => false, repositories: { a: [] } });
    try {
      const l = new RegistryTagLookup({
        credential: new ManagedIdentityCredential(),
        registries: [denied.loginServer],
        matchesTagPattern: compileTagPattern('prod-*'),
        maxResults: 10,
        concurrency: 1,
        logger: silentLogger,
      });
      const result = await l.newestMatchingTag(denied.loginServer, 'a');
      expect(result.kind).toBe('error');
      expect((result as { reason: string }).reason).toMatch(/401.*AcrPull/);
    } finally {
      await denied.close();
    }
  });
});
