/**
 * What registry access costs, request by request: the ACR token provider against the ACR
 * emulator and the managed-identity endpoint (the real `@azure/container-registry` for data
 * calls). Counts, not timings.
 */
import { createDefaultHttpClient, createHttpHeaders, createPipelineRequest, type HttpClient } from '@azure/core-rest-pipeline';
import { ManagedIdentityCredential } from '@azure/identity';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AcrRegistryEmulator } from '../../emulators/acrRegistry.js';
import { digestOf } from '../../emulators/sandbox.js';
import { silentLogger } from '../../src/log/logger.js';
import type { RegistryTagLookup } from '../../src/registry/acrTagLookup.js';
import { acrRepositoryTokenPolicy } from '../../src/registry/acrRepositoryTokenPolicy.js';
import { MAX_SCOPES_PER_TOKEN } from '../../src/registry/acrScopeBatch.js';
import { AcrTokenProvider } from '../../src/registry/acrTokenProvider.js';
import { registryLookup, startRegistryFixture, type RegistryFixture } from '../support/registryFixture.js';

const base = Date.parse('2026-11-01T00:00:00Z');
const repos = Array.from({ length: 60 }, (_, i) => `team/app-${i}`);

let fixture: RegistryFixture;
let registry: AcrRegistryEmulator;

beforeAll(async () => {
  fixture = await startRegistryFixture(Object.fromEntries(repos.map((r, i) => [r, [{ name: `prod-${i}`, digest: digestOf(r), lastUpdateTime: new Date(base).toISOString() }]])));
  registry = fixture.registry;
});
afterAll(() => fixture.close());

function lookup(concurrency = 8, loginServer = registry.loginServer, maxResults = 100): RegistryTagLookup {
  return registryLookup(registry, { registries: [loginServer], concurrency, maxResults });
}

function since(before: ReturnType<AcrRegistryEmulator['stats']>) {
  const now = registry.stats();
  return Object.fromEntries(Object.entries(now).map(([k, v]) => [k, v - before[k as keyof typeof before]])) as typeof now;
}

describe('ACR tokens for the registry lookups', () => {
  it('asks for one token for the repositories of one tick, split above the scope limit, and meets no challenge', async () => {
    const before = registry.stats();
    const l = lookup();
    // 60 repositories asked for at once (one pod page's worth): ceil(60 / 50) token requests.
    const answers = await Promise.all(repos.map((r) => l.newestMatchingTag(registry.loginServer, r)));
    expect(answers.every((a) => a.kind === 'found')).toBe(true);
    expect(since(before)).toMatchObject({ challenge: 0, token: Math.ceil(repos.length / MAX_SCOPES_PER_TOKEN), 'tags-page': 60 });
    expect(since(before).exchange).toBeLessThanOrEqual(1);
  });

  it('asks again for repositories seen later, and not at all for repositories this process holds a token for', async () => {
    const before = registry.stats();
    const l = lookup();
    await Promise.all(repos.slice(0, 10).map((r) => l.newestMatchingTag(registry.loginServer, r)));
    // The first test's tokens (same identity, same registry) are still fresh: no token request.
    expect(since(before)).toMatchObject({ token: 0, exchange: 0, challenge: 0, 'tags-page': 10 });
  });

  it('gets a fresh token once when the registry refuses the one it was given', async () => {
    const provider = new AcrTokenProvider({ credential: new ManagedIdentityCredential(), registries: [registry.loginServer], logger: silentLogger });
    const client = createDefaultHttpClient();
    const before = registry.stats();
    let attempts = 0;
    const request = createPipelineRequest({ url: `${registry.endpoint}/acr/v1/team%2Fapp-3/_tags?n=1`, headers: createHttpHeaders() });
    const response = await acrRepositoryTokenPolicy(provider).sendRequest(request, (r) => {
      attempts += 1;
      // The first attempt carries a token the registry does not accept (revoked, say).
      if (attempts === 1) r.headers.set('Authorization', 'Bearer revoked');
      return client.sendRequest(r);
    });
    expect(response.status).toBe(200);
    expect(attempts).toBe(2);
    expect(since(before)).toMatchObject({ challenge: 1, token: 1, 'tags-page': 1 });
  });

  it('lets a second refusal surface as a 401 without a challenge the SDK would act on', async () => {
    const provider = new AcrTokenProvider({ credential: new ManagedIdentityCredential(), registries: [registry.loginServer], logger: silentLogger });
    const client = createDefaultHttpClient();
    const request = createPipelineRequest({ url: `${registry.endpoint}/acr/v1/team%2Fapp-4/_tags?n=1`, headers: createHttpHeaders() });
    const response = await acrRepositoryTokenPolicy(provider).sendRequest(request, (r) => {
      r.headers.set('Authorization', 'Bearer revoked');
      return client.sendRequest(r);
    });
    expect(response.status).toBe(401);
    expect(response.headers.has('WWW-Authenticate')).toBe(false);
  });

  it('refuses to send a credential to a host outside REGISTRIES, before any request', async () => {
    const provider = new AcrTokenProvider({ credential: new ManagedIdentityCredential(), registries: [registry.loginServer], logger: silentLogger });
    expect(() => provider.accessToken('evil.example.com', 'team/app-1')).toThrow(/not in REGISTRIES/);
  });

  it('exchanges at scan start for ACR login servers only; any other host on its first lookup', async () => {
    // An ACR login server cannot be reached from here: its answers come from this client,
    // which passes every other request on to the emulators.
    const network = createDefaultHttpClient();
    const sentTo: string[] = [];
    const refreshToken = `e30.${Buffer.from(JSON.stringify({ exp: Math.floor(Date.now() / 1000) + 10_800 })).toString('base64url')}.sig`;
    const httpClient: HttpClient = {
      sendRequest: async (request) => {
        sentTo.push(`${new URL(request.url).host}${new URL(request.url).pathname}`);
        if (new URL(request.url).host !== 'myacr.azurecr.io') return network.sendRequest(request);
        return { request, status: 200, headers: createHttpHeaders(), bodyAsText: JSON.stringify({ refresh_token: refreshToken }) };
      },
    };
    const other = await fixture.startRegistry({ repositories: { 'team/app': [{ name: 'prod-1', digest: digestOf('team/app'), lastUpdateTime: new Date(base).toISOString() }] } });
    const provider = new AcrTokenProvider({ credential: new ManagedIdentityCredential(), registries: ['myacr.azurecr.io', other.loginServer], logger: silentLogger, httpClient });
    provider.prepare();
    await expect.poll(() => sentTo, { timeout: 5_000 }).toContain('myacr.azurecr.io/oauth2/exchange');
    await new Promise((resolve) => setImmediate(resolve));
    expect(sentTo).toEqual(['myacr.azurecr.io/oauth2/exchange']);
    expect(other.stats()).toMatchObject({ exchange: 0, token: 0 });
    // The other registry's first token request brings its exchange.
    expect(await provider.accessToken(other.loginServer, 'team/app')).toMatch(/^ey/);
    expect(other.stats()).toMatchObject({ exchange: 1, token: 1, challenge: 0 });
    expect(sentTo).toEqual(['myacr.azurecr.io/oauth2/exchange', `${other.loginServer}/oauth2/exchange`, `${other.loginServer}/oauth2/token`]);
  });

  it('lets a lookup report a refused exchange', async () => {
    const denied = await fixture.startRegistry({ validateEntraToken: () => false, repositories: { 'team/app': [] } });
    const l = lookup(2, denied.loginServer, 10);
    l.prepare();
    const answer = await l.newestMatchingTag(denied.loginServer, 'team/app');
    expect(answer).toMatchObject({ kind: 'error' });
    expect(answer.kind === 'error' && answer.reason).toMatch(/401.*AcrPull/);
    expect(denied.stats()).toMatchObject({ exchange: 1, token: 0, 'tags-page': 0 });
  });

  it('asks a registry that refuses the exchange only once per provider', async () => {
    const denied = await fixture.startRegistry({ validateEntraToken: () => false, repositories: Object.fromEntries(repos.slice(0, 5).map((r) => [r, []])) });
    const l = lookup(2, denied.loginServer, 10);
    const first = await Promise.all(repos.slice(0, 3).map((r) => l.newestMatchingTag(denied.loginServer, r)));
    const later = await Promise.all(repos.slice(3, 5).map((r) => l.newestMatchingTag(denied.loginServer, r)));
    expect([...first, ...later].every((a) => a.kind === 'error' && /401.*AcrPull/.test(a.reason))).toBe(true);
    expect(denied.stats()).toMatchObject({ exchange: 1, token: 0, 'tags-page': 0, challenge: 0 });
  });

  it('pauses every request to a registry for its Retry-After, then finishes', async () => {
    registry.throttleNext(1, 1);
    const before = registry.stats();
    const l = lookup(8);
    const answers = await Promise.all(repos.slice(20, 36).map((r) => l.newestMatchingTag(registry.loginServer, r)));
    expect(answers.every((a) => a.kind === 'found')).toBe(true);
    // The throttled request waited its second and was sent again; no lookup failed or repeated.
    expect(since(before).throttled).toBe(1);
    expect(since(before)['tags-page']).toBe(16);
  });
});
