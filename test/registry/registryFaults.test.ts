/**
 * The registry lookup when the registry misbehaves (issue 10): every fault ends as one answer
 * per repository, `error` with a reason a person can act on, within the lookup's deadline and
 * with a bounded number of requests; the other repositories are answered as usual. Against the
 * ACR emulator over HTTPS, with its injected faults (acrFaults.ts).
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { AcrRegistryEmulator, AcrTagSeed } from '../../emulators/acrRegistry.js';
import { digestOf } from '../../emulators/sandbox.js';
import type { RegistryLookupResult } from '../../src/model/registry.js';
import type { RegistryTagLookupOptions } from '../../src/registry/acrTagLookup.js';
import { registryLookup, startRegistryFixture, type RegistryFixture } from '../support/registryFixture.js';

const HOUR = 3_600_000;
const base = Date.parse('2026-11-01T00:00:00Z');
/** Newest first: build-0 (newest), prod-1, build-2, prod-3, ... */
const tagsOf = (repo: string, count = 6): AcrTagSeed[] =>
  Array.from({ length: count }, (_, i) => {
    const name = i % 2 === 1 ? `prod-${i}` : `build-${i}`;
    return { name, digest: digestOf(`${repo}:${name}`), lastUpdateTime: new Date(base - i * HOUR).toISOString() };
  });
const REPOS = ['stall', 'stall-once', 'slow', 'day', 'after-day', 'pause', 'throttled', 'bomb', 'empty', 'object', 'token-stall', 'token-bomb', 'cancel', 'cancel-later', ...Array.from({ length: 40 }, (_, i) => `storm-${i}`)];
/** 1000 builds, then a release: a lookup of more than 1000 tags follows the `Link` to page 2. */
const deep = (repo: string): AcrTagSeed[] =>
  Array.from({ length: 1001 }, (_, i) => {
    const name = i === 1000 ? 'prod-1000' : `build-${i}`;
    return { name, digest: digestOf(`${repo}:${name}`), lastUpdateTime: new Date(base - i * HOUR).toISOString() };
  });

let fixture: RegistryFixture;
let registry: AcrRegistryEmulator;

beforeAll(async () => {
  fixture = await startRegistryFixture({
    ...Object.fromEntries(REPOS.map((r) => [r, tagsOf(r)])),
    // Oldest first, as the fault sends them, a build comes first and then a release.
    unsorted: tagsOf('unsorted', 7),
    self: deep('self'),
    cross: deep('cross'),
  });
  registry = fixture.registry;
});
afterEach(() => registry.clearFaults());
afterAll(() => fixture.close());

const lookup = (options: Partial<RegistryTagLookupOptions> = {}) => registryLookup(registry, options);
const requestsFor = (repo: string, kind = 'tags-page'): number => registry.requests.filter((r) => r.path === `/acr/v1/${repo}/_tags` && (r.kind === kind || kind === 'any')).length;
const reasonOf = (result: RegistryLookupResult): string => (result.kind === 'error' ? result.reason : `not an error: ${JSON.stringify(result)}`);

describe('a registry that stops answering', () => {
  it('times out a tag page that sends its headers and then stalls, and tries it again', async () => {
    registry.injectFault('tags-page', { kind: 'stall' }, { repository: 'stall-once', times: 1 });
    const result = await lookup({ timeouts: { requestMs: 1_000 } }).newestMatchingTag(registry.loginServer, 'stall-once');
    expect(result).toMatchObject({ kind: 'found', newest: { name: 'prod-1' } });
    expect(requestsFor('stall-once')).toBe(2);
  });

  it('ends a lookup the registry never answers at its deadline, as an error that names the repository and the request', async () => {
    registry.injectFault('tags-page', { kind: 'stall' }, { repository: 'stall' });
    const result = await lookup({ timeouts: { requestMs: 30_000, lookupMs: 2_000 } }).newestMatchingTag(registry.loginServer, 'stall');
    expect(reasonOf(result)).toBe(`lookup of ${registry.loginServer}/stall did not finish within 2s: ACR ${registry.loginServer} stopped answering (tag page 1 of stall)`);
  });

  it('times out a body that trickles in, and gives up after a bounded number of attempts', async () => {
    registry.injectFault('tags-page', { kind: 'slow-body', bytesPerSecond: 200 }, { repository: 'slow' });
    const result = await lookup({ timeouts: { requestMs: 1_000 } }).newestMatchingTag(registry.loginServer, 'slow');
    expect(reasonOf(result)).toMatch(/^lookup of .*\/slow failed: GET .*\/acr\/v1\/slow\/_tags: the answer began and then stalled \(not complete within 1s\) \(tag page 1 of slow; gave up after 4 attempts\)$/);
    expect(requestsFor('slow')).toBe(4);
  });

  it('ends lookups and their requests when the scan run ends, and starts none after', async () => {
    registry.injectFault('tags-page', { kind: 'stall' }, { repository: 'cancel' });
    const run = new AbortController();
    const l = lookup({ signal: run.signal });
    const answer = l.newestMatchingTag(registry.loginServer, 'cancel');
    await expect.poll(() => requestsFor('cancel'), { timeout: 10_000 }).toBe(1);
    run.abort(new Error('run over'));
    expect(reasonOf(await answer)).toBe(`lookup of ${registry.loginServer}/cancel was cancelled: the scan run ended before it finished`);
    expect(reasonOf(await l.newestMatchingTag(registry.loginServer, 'cancel-later'))).toMatch(/cancelled: the scan run ended/);
    expect(requestsFor('cancel-later', 'any')).toBe(0);
  });

  it('bounds token requests too: a stalled token endpoint fails the lookups waiting for it', async () => {
    registry.injectFault('token', { kind: 'stall' });
    const result = await lookup({ timeouts: { requestMs: 30_000, tokenMs: 1_500 } }).newestMatchingTag(registry.loginServer, 'token-stall');
    expect(reasonOf(result)).toBe(
      `lookup of ${registry.loginServer}/token-stall failed: access token request to ACR ${registry.loginServer} did not finish within 1s: ACR ${registry.loginServer} stopped answering (POST /oauth2/token)`,
    );
  });
});

describe('a registry that throttles or fails', () => {
  it('fails a request whose Retry-After is longer than a scan waits, at once, and keeps answering other repositories', async () => {
    registry.injectFault('tags-page', { kind: 'status', status: 429, retryAfter: '86400' }, { repository: 'day' });
    const l = lookup();
    expect(reasonOf(await l.newestMatchingTag(registry.loginServer, 'day'))).toBe(
      `lookup of ${registry.loginServer}/day failed: ACR ${registry.loginServer} throttled the request (tag page 1 of day) and asked to wait 1d, longer than the 1m a scan waits`,
    );
    expect(requestsFor('day', 'failed')).toBe(1);
    // The registry is not paused for a day: the next repository is read at once.
    expect(await l.newestMatchingTag(registry.loginServer, 'after-day')).toMatchObject({ kind: 'found' });
  });

  it('fails a lookup at once when the registry asks for a pause longer than the lookup has left', async () => {
    registry.injectFault('tags-page', { kind: 'status', status: 429, retryAfter: '30' }, { repository: 'pause' });
    const result = await lookup({ timeouts: { lookupMs: 5_000 } }).newestMatchingTag(registry.loginServer, 'pause');
    expect(reasonOf(result)).toMatch(new RegExp(`^lookup of .*/pause failed: ACR .* asked this scan to pause for (29|30)s more \\(Retry-After\\), longer than the [0-9]s left for the lookup of .*/pause$`));
    expect(requestsFor('pause', 'failed')).toBe(1);
  });

  it('bounds the answers a registry may throttle one request with, however short the pauses it asks for', async () => {
    registry.injectFault('tags-page', { kind: 'status', status: 429, retryAfter: '0' }, { repository: 'throttled' });
    const result = await lookup().newestMatchingTag(registry.loginServer, 'throttled');
    expect(reasonOf(result)).toMatch(/failed: HTTP 429: TOOMANYREQUESTS injected fault \(429\) \(tag page 1 of throttled; still throttled after 10 answers with Retry-After, each waited out\)$/);
    expect(requestsFor('throttled', 'failed')).toBe(10);
  });

  it('reports 25 repositories of a 503 storm as errors after a few attempts each, while answering the others first', { timeout: 90_000 }, async () => {
    const failing = Array.from({ length: 25 }, (_, i) => `storm-${i}`);
    const healthy = Array.from({ length: 15 }, (_, i) => `storm-${25 + i}`);
    for (const repository of failing) registry.injectFault('tags-page', { kind: 'status', status: 503 }, { repository });
    const l = lookup(); // default settings: ACR_CONCURRENCY 8, default time limits
    const finished: string[] = [];
    const answers = await Promise.all(
      [...failing, ...healthy].map(async (repo) => {
        const answer = await l.newestMatchingTag(registry.loginServer, repo);
        finished.push(repo);
        return [repo, answer] as const;
      }),
    );
    for (const [repo, answer] of answers) {
      if (failing.includes(repo)) {
        expect(reasonOf(answer)).toMatch(/failed: HTTP 503: SERVICE_UNAVAILABLE injected fault \(503\) \(tag page 1 of storm-\d+; gave up after 4 attempts\)$/);
        expect(requestsFor(repo, 'failed')).toBe(4);
      } else expect(answer).toMatchObject({ kind: 'found', newest: { name: 'prod-1' } });
    }
    // Failing lookups wait between attempts without holding a slot: every healthy repository
    // was answered before the first failing one gave up.
    expect(finished.slice(0, healthy.length).sort()).toEqual([...healthy].sort());
  });
});

describe('answers that cannot be trusted', () => {
  it('stops reading a gzip bomb at the size limit: an error for that repository, and memory stays bounded', async () => {
    registry.injectFault('tags-page', { kind: 'gzip-bomb', inflatedBytes: 300 * 1024 * 1024 }, { repository: 'bomb' });
    const before = registry.inflatedBytesGenerated;
    const result = await lookup().newestMatchingTag(registry.loginServer, 'bomb');
    expect(reasonOf(result)).toBe(`lookup of ${registry.loginServer}/bomb failed: the answer to GET ${registry.loginServer}/acr/v1/bomb/_tags was larger than 16 MB once decoded; stopped reading it`);
    // Not retried (the registry would send the same), and read only up to the limit.
    expect(requestsFor('bomb')).toBe(1);
    expect(registry.inflatedBytesGenerated - before).toBeLessThan(64 * 1024 * 1024);
  });

  it('caps token answers too', async () => {
    registry.injectFault('token', { kind: 'gzip-bomb', inflatedBytes: 64 * 1024 * 1024 });
    const result = await lookup().newestMatchingTag(registry.loginServer, 'token-bomb');
    expect(reasonOf(result)).toMatch(/^lookup of .*\/token-bomb failed: the answer to POST .*\/oauth2\/token was larger than 256 KB once decoded; stopped reading it$/);
  });

  it.each([
    ['self', { kind: 'self-link' }, /linked page 2 of the tags of self back to a page already read/],
    ['empty', { kind: 'empty-page-with-next' }, /answered page 1 of the tags of empty with no tags and a link to a further page/],
    ['cross', { kind: 'cross-origin-link' }, /linked its next page of tags to another origin, https:\/\/elsewhere\.example/],
    ['unsorted', { kind: 'unsorted' }, /answered the tags of unsorted out of order: prod-5 .* comes after the older build-6/],
    ['object', { kind: 'empty-object' }, /answered the tags of object without a list of tags/],
  ] as const)('takes a %s tag page for an error, not for an answer', async (repo, fault, reason) => {
    registry.injectFault('tags-page', fault, { repository: repo });
    // More than 1000 tags: pages of 1000, so the walk follows the Link to page 2.
    const result = await lookup({ maxResults: 2_000 }).newestMatchingTag(registry.loginServer, repo);
    expect(reasonOf(result)).toMatch(reason);
    expect(requestsFor(repo)).toBeLessThanOrEqual(2);
  });
});
