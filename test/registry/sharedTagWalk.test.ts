/**
 * Every tag pattern asked of a repository in one scan shares one walk over its tags, through the
 * real lookup against the ACR emulator: two patterns on one repository cost one tag page (and
 * one token), a later pattern answered by the page already read costs nothing, and a pattern
 * that needs older tags reads only the pages beyond.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AcrRegistryEmulator, AcrTagSeed } from '../../emulators/acrRegistry.js';
import { digestOf } from '../../emulators/sandbox.js';
import { registryLookup, startRegistryFixture, type RegistryFixture } from '../support/registryFixture.js';

const HOUR = 3_600_000;
const base = Date.parse('2026-11-01T00:00:00Z');
/** `count` tags newest first: `main-` builds, a `staging-` tag every 10th, a `prod-` release every 50th from position 40. */
function seeds(count: number): AcrTagSeed[] {
  return Array.from({ length: count }, (_, i) => {
    const name = i >= 40 && (i - 40) % 50 === 0 ? `prod-${5000 - i}` : i % 10 === 3 ? `staging-${5000 - i}` : `main-${5000 - i}`;
    return { name, digest: digestOf(name), lastUpdateTime: new Date(base - i * HOUR).toISOString() };
  });
}

let fixture: RegistryFixture;
let registry: AcrRegistryEmulator;
beforeAll(async () => {
  fixture = await startRegistryFixture({ 'team/api': seeds(300), 'team/deep': [...seeds(1500).filter((t) => !t.name.startsWith('prod-')).slice(0, 1100), { name: 'prod-old', digest: digestOf('prod-old'), lastUpdateTime: new Date(base - 2000 * HOUR).toISOString() }] });
  registry = fixture.registry;
});
afterAll(() => fixture.close());

const count = (kind: string, repo?: string) => registry.requests.filter((r) => r.kind === kind && (!repo || decodeURIComponent(r.path).includes(`/acr/v1/${repo}/_tags`))).length;

describe('one tag walk per repository for every pattern in use', () => {
  it('answers two patterns asked together with one tag page and one token, each as a lookup of its own would', async () => {
    const [pages, tokens] = [count('tags-page', 'team/api'), count('token')];
    const lookup = registryLookup(registry, { maxResults: 100 });
    const [prod, staging] = await Promise.all([lookup.newestMatchingTag(registry.loginServer, 'team/api', 'prod-*'), lookup.newestMatchingTag(registry.loginServer, 'team/api', 'staging-*')]);
    expect(prod).toMatchObject({ kind: 'found', newest: { name: 'prod-4960' }, examined: 41 });
    expect(staging).toMatchObject({ kind: 'found', newest: { name: 'staging-4997' }, examined: 4 });
    expect(count('tags-page', 'team/api') - pages).toBe(1);
    expect(count('token') - tokens).toBe(1);
    // The same answers as lookups of their own, which read a page each.
    expect(await registryLookup(registry, { maxResults: 100 }).newestMatchingTag(registry.loginServer, 'team/api', 'staging-*')).toEqual(staging);
    expect(await registryLookup(registry, { maxResults: 100 }).newestMatchingTag(registry.loginServer, 'team/api')).toEqual(prod);
    expect(count('tags-page', 'team/api') - pages).toBe(3);
  });

  it('answers a pattern asked later from the page already read, without a request, and says when none of those tags matches', async () => {
    const lookup = registryLookup(registry, { maxResults: 100 });
    await lookup.newestMatchingTag(registry.loginServer, 'team/api', 'main-*');
    const before = registry.requests.length;
    expect(await lookup.newestMatchingTag(registry.loginServer, 'team/api', 'prod-4[0-9]*')).toMatchObject({ kind: 'found', newest: { name: 'prod-4960' } });
    expect(await lookup.newestMatchingTag(registry.loginServer, 'team/api', 'hotfix-*')).toEqual({ kind: 'no-match', examined: 100 });
    expect(registry.requests.length).toBe(before);
    expect(lookup.repositoriesLookedUp).toBe(1);
  });

  it('reads only the pages beyond when a pattern needs older tags than the others', async () => {
    const lookup = registryLookup(registry, { maxResults: 1500 });
    const before = count('tags-page', 'team/deep');
    expect(await lookup.newestMatchingTag(registry.loginServer, 'team/deep', 'main-*')).toMatchObject({ kind: 'found', examined: 1 });
    expect(count('tags-page', 'team/deep') - before).toBe(1);
    expect(await lookup.newestMatchingTag(registry.loginServer, 'team/deep', 'prod-*')).toMatchObject({ kind: 'found', newest: { name: 'prod-old' }, examined: 1101 });
    expect(count('tags-page', 'team/deep') - before).toBe(2);
    expect(await lookup.newestMatchingTag(registry.loginServer, 'team/deep', 'staging-*')).toMatchObject({ kind: 'found' });
    expect(count('tags-page', 'team/deep') - before).toBe(2);
  });

  it('gives every pattern of a repository the registry does not know the same answer, for one request', async () => {
    const lookup = registryLookup(registry);
    const before = count('tags-page', 'team/missing');
    const answers = await Promise.all(['prod-*', 'main-*'].map((p) => lookup.newestMatchingTag(registry.loginServer, 'team/missing', p)));
    expect(answers).toEqual([{ kind: 'unknown-repository' }, { kind: 'unknown-repository' }]);
    expect(count('tags-page', 'team/missing') - before).toBe(1);
  });
});
