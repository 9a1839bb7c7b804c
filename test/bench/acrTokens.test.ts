/**
 * What registry access costs, request by request: the ACR token provider against the ACR
 * emulator and the managed-identity endpoint (the real `@azure/container-registry` for data
 * calls). Counts, not timings.
 */
import { createDefaultHttpClient, createHttpHeaders, createPipelineRequest } from '@azure/core-rest-pipeline';
import { ManagedIdentityCredential } from '@azure/identity';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/log/logger.js';
import { RegistryTagLookup } from '../../src/registry/acrTagLookup.js';
import { AcrTokenProvider, identityOf, jwtExpiry, MAX_SCOPES_PER_TOKEN, repositoryOfPath } from '../../src/registry/acrTokens.js';
import { compileTagPattern } from '../../src/registry/tagPattern.js';
import { startAcrRegistry, type AcrRegistryEmulator } from '../emulators/acrRegistry.js';
import { startManagedIdentityEndpoint, type ManagedIdentityEndpoint } from '../emulators/managedIdentity.js';
import { ACR_RESOURCE, digestOf } from '../emulators/sandbox.js';
import { ensureTestPki } from '../emulators/testPki.js';

const base = Date.parse('2026-11-01T00:00:00Z');
const repos = Array.from({ length: 60 }, (_, i) => `team/app-${i}`);

let identity: ManagedIdentityEndpoint;
let registry: AcrRegistryEmulator;
const savedEnv = { ...process.env };

beforeAll(async () => {
  identity = await startManagedIdentityEndpoint();
  Object.assign(process.env, identity.env);
  registry = await startAcrRegistry({
    pki: ensureTestPki(),
    validateEntraToken: (token) => identity.validate(token, ACR_RESOURCE),
    repositories: Object.fromEntries(repos.map((r, i) => [r, [{ name: `prod-${i}`, digest: digestOf(r), lastUpdateTime: new Date(base).toISOString() }]])),
  });
});
afterAll(async () => {
  process.env = savedEnv;
  await registry.close();
  await identity.close();
});

function lookup(concurrency = 8, loginServer = registry.loginServer, maxResults = 100): RegistryTagLookup {
  return new RegistryTagLookup({
    credential: new ManagedIdentityCredential(),
    registries: [loginServer],
    matchesTagPattern: compileTagPattern('prod-*'),
    maxResults,
    concurrency,
    logger: silentLogger,
  });
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
    const response = await provider.policy().sendRequest(request, (r) => {
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
    const response = await provider.policy().sendRequest(request, (r) => {
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

  it('exchanges for every registry when the scan starts, before any repository is known, and not again for the lookups', async () => {
    const fresh = await startAcrRegistry({
      pki: ensureTestPki(),
      validateEntraToken: (token) => identity.validate(token, ACR_RESOURCE),
      repositories: { 'team/app': [{ name: 'prod-1', digest: digestOf('team/app'), lastUpdateTime: new Date(base).toISOString() }] },
    });
    try {
      const l = lookup(2, fresh.loginServer, 10);
      l.prepare();
      await expect.poll(() => fresh.stats().exchange, { timeout: 5_000 }).toBe(1);
      expect(fresh.stats()).toMatchObject({ token: 0, 'tags-page': 0, challenge: 0 });
      expect(await l.newestMatchingTag(fresh.loginServer, 'team/app')).toMatchObject({ kind: 'found', newest: { name: 'prod-1' } });
      expect(fresh.stats()).toMatchObject({ exchange: 1, token: 1, 'tags-page': 1, challenge: 0 });
    } finally {
      await fresh.close();
    }
  });

  it('lets the lookups report a refused exchange that began at the start of the scan', async () => {
    const denied = await startAcrRegistry({ pki: ensureTestPki(), validateEntraToken: () => false, repositories: { 'team/app': [] } });
    try {
      const l = lookup(2, denied.loginServer, 10);
      l.prepare();
      const answer = await l.newestMatchingTag(denied.loginServer, 'team/app');
      expect(answer).toMatchObject({ kind: 'error' });
      expect(answer.kind === 'error' && answer.reason).toMatch(/401.*AcrPull/);
      expect(denied.stats()).toMatchObject({ exchange: 1, token: 0, 'tags-page': 0 });
    } finally {
      await denied.close();
    }
  });

  it('asks a registry that refuses the exchange only once per provider', async () => {
    const denied = await startAcrRegistry({ pki: ensureTestPki(), validateEntraToken: () => false, repositories: Object.fromEntries(repos.slice(0, 5).map((r) => [r, []])) });
    try {
      const l = lookup(2, denied.loginServer, 10);
      const first = await Promise.all(repos.slice(0, 3).map((r) => l.newestMatchingTag(denied.loginServer, r)));
      const later = await Promise.all(repos.slice(3, 5).map((r) => l.newestMatchingTag(denied.loginServer, r)));
      expect([...first, ...later].every((a) => a.kind === 'error' && /401.*AcrPull/.test(a.reason))).toBe(true);
      expect(denied.stats()).toMatchObject({ exchange: 1, token: 0, 'tags-page': 0, challenge: 0 });
    } finally {
      await denied.close();
    }
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

describe('token and path helpers', () => {
  const jwt = (claims: object) => `e30.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.sig`;

  it('reads the expiry of a JWT', () => {
    expect(jwtExpiry(jwt({ exp: 1_800_000_000 }))).toBe(1_800_000_000_000);
    expect(jwtExpiry(jwt({ exp: '1800000000' }))).toBe(1_800_000_000_000);
    expect(jwtExpiry(jwt({}))).toBeUndefined();
    expect(jwtExpiry('opaque')).toBeUndefined();
  });

  it('names the identity of an Entra token by tenant and object id, or by a digest of an opaque token', () => {
    expect(identityOf(jwt({ oid: 'o-1', tid: 't-1' }))).toBe('oid:t-1/o-1');
    expect(identityOf('mi.opaque')).toMatch(/^token:/);
    expect(identityOf('mi.opaque')).toBe(identityOf('mi.opaque'));
    expect(identityOf('mi.other')).not.toBe(identityOf('mi.opaque'));
  });

  it('finds the repository of ACR data-plane paths, encoded or not', () => {
    expect(repositoryOfPath('/acr/v1/team%2Fapp%2Fapi/_tags')).toBe('team/app/api');
    expect(repositoryOfPath('/acr/v1/team/app/api/_tags')).toBe('team/app/api');
    expect(repositoryOfPath('/acr/v1/team%2Fapp/_tags/prod-1')).toBe('team/app');
    expect(repositoryOfPath('/acr/v1/team%2Fapp/_manifests/sha256%3Aabc')).toBe('team/app');
    expect(repositoryOfPath('/acr/v1/team%2Fapp')).toBe('team/app');
    expect(repositoryOfPath('/v2/team/app/manifests/prod-1')).toBe('team/app');
    expect(repositoryOfPath('/oauth2/token')).toBeUndefined();
    expect(repositoryOfPath('/acr/v1/_catalog')).toBeUndefined();
  });
});
