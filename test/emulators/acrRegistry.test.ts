/** The ACR emulator's tag and manifest endpoints, paging, errors and throttling, through the real SDK and raw requests. */
import { afterEach, describe, expect, it } from 'vitest';
import { accessTokenFor, AMD64_CHILD, ARM64_CHILD, client, closeSampleRegistries, digestOf, makeTags, MULTI_ARCH_INDEX, raw, startSampleRegistry } from '../support/acrEmulatorClient.js';

afterEach(closeSampleRegistries);

describe('ACR registry emulator with the real @azure/container-registry SDK', () => {
  it('lists tags newest first across Link-driven pages and authenticates once', async () => {
    const reg = await startSampleRegistry();
    const pages: string[][] = [];
    const iter = client(reg).getArtifact('team/app/api', 'x').listTagProperties({ order: 'LastUpdatedOnDescending' }).byPage({ maxPageSize: 10 });
    for await (const page of iter) {
      pages.push(page.map((t) => t.name));
      for (const t of page) {
        expect(t.digest).toMatch(/^sha256:[0-9a-f]{64}$/);
        expect(t.lastUpdatedOn).toBeInstanceOf(Date);
        expect(t.createdOn).toBeInstanceOf(Date);
        expect(t.repositoryName).toBe('team/app/api');
        expect(t.registryLoginServer).toBe(reg.loginServer);
      }
    }
    const expected = Array.from({ length: 25 }, (_, i) => `v${25 - i}`);
    expect(pages.map((p) => p.length)).toEqual([10, 10, 5]);
    expect(pages.flat()).toEqual(expected);

    const tagPages = reg.requests.filter((r) => r.kind === 'tags-page' && r.status === 200);
    expect(tagPages).toHaveLength(3);
    expect(tagPages[0]?.query).toMatchObject({ n: '10', orderby: 'timedesc' });
    expect(tagPages[0]?.query.last).toBeUndefined();
    // The 2nd and 3rd pages are exactly the URLs the emulator put in the Link header.
    expect(tagPages[1]?.query).toEqual({ last: 'v16', n: '10', orderby: 'timedesc' });
    expect(tagPages[2]?.query).toEqual({ last: 'v6', n: '10', orderby: 'timedesc' });
    expect(tagPages[1]?.path).toBe('/acr/v1/team/app/api/_tags');
    expect(reg.requests.map((r) => r.kind)).toEqual(['challenge', 'exchange', 'token', 'tags-page', 'tags-page', 'tags-page']);
    expect(reg.stats()).toMatchObject({ challenge: 1, exchange: 1, token: 1, 'tags-page': 3 });
  });

  it('orders by time ascending and, without orderby, by name', async () => {
    const reg = await startSampleRegistry({ repositories: { svc: makeTags(12) } });
    const c = client(reg);
    const asc: string[] = [];
    for await (const t of c.getArtifact('svc', 'x').listTagProperties({ order: 'LastUpdatedOnAscending' })) asc.push(t.name);
    expect(asc).toEqual(Array.from({ length: 12 }, (_, i) => `v${i + 1}`));

    const byName: string[] = [];
    for await (const page of c.getArtifact('svc', 'x').listTagProperties().byPage({ maxPageSize: 5 })) byName.push(...page.map((t) => t.name));
    expect(byName).toEqual(Array.from({ length: 12 }, (_, i) => `v${i + 1}`).sort());
    const unordered = reg.requests.filter((r) => r.kind === 'tags-page' && r.query.orderby === undefined);
    expect(unordered.length).toBe(3);
  });

  it('serves 300-tag repositories in pages of 100 with every tag exactly once', async () => {
    const reg = await startSampleRegistry({ repositories: { big: makeTags(300) } });
    const names: string[] = [];
    const started = Date.now();
    for await (const page of client(reg).getArtifact('big', 'x').listTagProperties({ order: 'LastUpdatedOnDescending' }).byPage({ maxPageSize: 100 })) {
      names.push(...page.map((t) => t.name));
    }
    expect(names).toEqual(Array.from({ length: 300 }, (_, i) => `v${300 - i}`));
    expect(reg.stats()['tags-page']).toBe(3);
    expect(Date.now() - started).toBeLessThan(10_000);
  });

  it('returns tag properties and multi-arch manifest properties', async () => {
    const reg = await startSampleRegistry();
    const c = client(reg);
    const tag = await c.getArtifact('web', 'prod-2025.03.01').getTagProperties('prod-2025.03.01');
    expect(tag.name).toBe('prod-2025.03.01');
    expect(tag.digest).toBe(MULTI_ARCH_INDEX);
    expect(tag.createdOn.toISOString()).toBe('2025-03-01T10:00:00.000Z');
    expect(tag.lastUpdatedOn.toISOString()).toBe('2025-03-01T12:00:00.000Z');
    expect(tag.canRead).toBe(true);

    const manifest = await c.getArtifact('web', MULTI_ARCH_INDEX).getManifestProperties();
    expect(manifest.digest).toBe(MULTI_ARCH_INDEX);
    expect(manifest.tags.sort()).toEqual(['latest', 'prod-2025.03.01']);
    expect(manifest.architecture).toBeUndefined();
    expect(manifest.relatedArtifacts).toEqual([
      { digest: AMD64_CHILD, architecture: 'amd64', operatingSystem: 'linux' },
      { digest: ARM64_CHILD, architecture: 'arm64', operatingSystem: 'linux' },
    ]);
    expect(manifest.createdOn.toISOString()).toBe('2025-03-01T10:00:00.000Z');
    expect(manifest.lastUpdatedOn.toISOString()).toBe('2025-03-02T08:00:00.000Z');
    // The SDK percent-encodes the digest's colon.
    const manifestReq = reg.requests.find((r) => r.kind === 'manifest' && r.status === 200);
    expect(manifestReq?.path).toBe(`/acr/v1/web/_manifests/${MULTI_ARCH_INDEX.replace(':', '%3A')}`);

    // Resolving by tag goes through the tag endpoint first; a single-arch manifest has a platform.
    const single = await c.getArtifact('web', 'prod-2025.02.01').getManifestProperties();
    expect(single).toMatchObject({ digest: digestOf(99), architecture: 'amd64', operatingSystem: 'linux', tags: ['prod-2025.02.01'], relatedArtifacts: [] });

    // A child of the index is known to the repository even without a tag of its own.
    const child = await c.getArtifact('web', ARM64_CHILD).getManifestProperties();
    expect(child).toMatchObject({ digest: ARM64_CHILD, architecture: 'arm64', operatingSystem: 'linux', tags: [] });
  });

  it('answers 404 NAME_UNKNOWN, TAG_UNKNOWN and MANIFEST_UNKNOWN', async () => {
    const reg = await startSampleRegistry();
    const c = client(reg);
    const noRepo = await c.getArtifact('nope/missing', 'x').getTagProperties('v1').catch((e: unknown) => e);
    expect(noRepo).toMatchObject({ name: 'RestError', statusCode: 404 });
    const noRepoList = (async () => {
      for await (const _ of c.getArtifact('nope/missing', 'x').listTagProperties({ order: 'LastUpdatedOnDescending' })) {
        // draining
      }
    })();
    await expect(noRepoList).rejects.toMatchObject({ name: 'RestError', statusCode: 404 });
    await expect(c.getArtifact('web', 'x').getTagProperties('no-such-tag')).rejects.toMatchObject({ statusCode: 404 });
    await expect(c.getArtifact('web', 'sha256:' + 'f'.repeat(64)).getManifestProperties()).rejects.toMatchObject({ statusCode: 404 });

    const token = await accessTokenFor(reg, 'nope/missing');
    const body = await raw(reg, 'GET', '/acr/v1/nope/missing/_tags', { headers: { authorization: `Bearer ${token}` } });
    expect(body.status).toBe(404);
    expect(body.json).toMatchObject({ errors: [{ code: 'NAME_UNKNOWN', message: 'repository name not known to registry' }] });
    const webToken = await accessTokenFor(reg, 'web');
    const noTag = await raw(reg, 'GET', '/acr/v1/web/_tags/zzz', { headers: { authorization: `Bearer ${webToken}` } });
    expect(noTag.json).toMatchObject({ errors: [{ code: 'TAG_UNKNOWN' }] });
    const noManifest = await raw(reg, 'GET', `/acr/v1/web/_manifests/sha256%3A${'e'.repeat(64)}`, { headers: { authorization: `Bearer ${webToken}` } });
    expect(noManifest.status).toBe(404);
    expect(noManifest.json).toMatchObject({ errors: [{ code: 'MANIFEST_UNKNOWN' }] });
  });

  it('answers 429 with Retry-After, which the SDK waits out and retries', async () => {
    const reg = await startSampleRegistry();
    const c = client(reg);
    await c.getArtifact('web', 'latest').getTagProperties('latest'); // authenticate first
    reg.throttleNext(1, 1);
    const started = Date.now();
    const tag = await c.getArtifact('web', 'latest').getTagProperties('latest');
    expect(tag.digest).toBe(MULTI_ARCH_INDEX);
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
    const throttled = reg.requests.filter((r) => r.kind === 'throttled');
    expect(throttled).toHaveLength(1);
    expect(throttled[0]?.status).toBe(429);
    expect(reg.stats().tag).toBe(2);

    const token = await accessTokenFor(reg, 'web');
    reg.throttleNext(1, 7);
    const res = await raw(reg, 'GET', '/acr/v1/web/_tags', { headers: { authorization: `Bearer ${token}` } });
    expect(res.status).toBe(429);
    expect(res.headers['retry-after']).toBe('7');
    expect(res.json).toMatchObject({ errors: [{ code: 'TOOMANYREQUESTS' }] });
  });

  it('injects server failures with failNext, which the SDK retries', async () => {
    const reg = await startSampleRegistry();
    const c = client(reg);
    reg.failNext(1, 503);
    const tag = await c.getArtifact('web', 'latest').getTagProperties('latest');
    expect(tag.name).toBe('latest');
    expect(reg.requests.filter((r) => r.kind === 'failed').map((r) => r.status)).toEqual([503]);
  });

  it('reflects setTags, addTag and deleteRepository, and works with host "localhost"', async () => {
    const reg = await startSampleRegistry({ host: 'localhost', repositories: { app: makeTags(3) } });
    expect(reg.loginServer).toMatch(/^localhost:\d+$/);
    expect(reg.endpoint).toBe(`https://${reg.loginServer}`);
    const c = client(reg);
    const newest = async (repo: string) => {
      for await (const page of c.getArtifact(repo, 'x').listTagProperties({ order: 'LastUpdatedOnDescending' }).byPage({ maxPageSize: 1 })) {
        return page[0]?.name;
      }
      return undefined;
    };
    expect(await newest('app')).toBe('v3');
    reg.addTag('app', { name: 'hotfix', digest: digestOf(500), lastUpdateTime: '2030-01-01T00:00:00Z' });
    expect(await newest('app')).toBe('hotfix');
    // Re-tagging moves an existing tag.
    reg.addTag('app', { name: 'v1', digest: digestOf(501), lastUpdateTime: '2031-01-01T00:00:00Z' });
    expect(await newest('app')).toBe('v1');
    reg.setTags('app', [{ name: 'only', digest: digestOf(7), lastUpdateTime: '2024-01-01T00:00:00Z' }]);
    expect(await newest('app')).toBe('only');
    reg.deleteRepository('app');
    await expect(newest('app')).rejects.toMatchObject({ statusCode: 404 });
    reg.addTag('brand/new', { name: 'first', digest: digestOf(8), lastUpdateTime: '2024-01-01T00:00:00Z' });
    expect(await newest('brand/new')).toBe('first');
  });
});
