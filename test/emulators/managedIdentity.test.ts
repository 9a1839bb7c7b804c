import { DefaultAzureCredential, ManagedIdentityCredential } from '@azure/identity';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startManagedIdentityEndpoint } from '../../emulators/managedIdentity.js';
import type { ManagedIdentityEndpoint } from '../../emulators/managedIdentity.js';

const ACR_SCOPE = 'https://containerregistry.azure.net/.default';
const AKS_SCOPE = '6dae42f8-4368-4678-94ff-3960e28e3630/.default';
const ENV_KEYS = ['IDENTITY_ENDPOINT', 'IDENTITY_HEADER', 'MSI_ENDPOINT', 'MSI_SECRET', 'AZURE_CLIENT_ID', 'AZURE_TENANT_ID', 'AZURE_CLIENT_SECRET', 'AZURE_FEDERATED_TOKEN_FILE', 'AZURE_TOKEN_CREDENTIALS'] as const;

let savedEnv: Record<string, string | undefined> = {};
const open: ManagedIdentityEndpoint[] = [];

async function start(options: Parameters<typeof startManagedIdentityEndpoint>[0] = {}): Promise<ManagedIdentityEndpoint> {
  const mi = await startManagedIdentityEndpoint(options);
  open.push(mi);
  return mi;
}

beforeEach(() => {
  savedEnv = Object.fromEntries(ENV_KEYS.map((k) => [k, process.env[k]]));
  for (const k of ENV_KEYS) delete process.env[k];
});
afterEach(async () => {
  for (const k of ENV_KEYS) {
    const v = savedEnv[k];
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
  await Promise.all(open.splice(0).map((mi) => mi.close()));
});

function useEndpoint(mi: ManagedIdentityEndpoint): void {
  process.env.IDENTITY_ENDPOINT = mi.env.IDENTITY_ENDPOINT;
  process.env.IDENTITY_HEADER = mi.env.IDENTITY_HEADER;
}

function rawToken(mi: ManagedIdentityEndpoint, query: string, header: string | null = mi.header): Promise<Response> {
  return fetch(`${mi.endpoint}?${query}`, { headers: header === null ? {} : { 'X-IDENTITY-HEADER': header } });
}

// MSAL caches tokens process-wide by identity and resource, so the scenarios below use
// distinct user-assigned client ids where a request must really reach the emulator.

describe('managed identity emulator with @azure/identity', () => {
  it('issues tokens to ManagedIdentityCredential (system-assigned) that validate only for their own resource', async () => {
    const mi = await start();
    useEndpoint(mi);
    const credential = new ManagedIdentityCredential();
    const acr = await credential.getToken(ACR_SCOPE);
    const aks = await credential.getToken(AKS_SCOPE);

    expect(acr.token).not.toBe(aks.token);
    expect(acr.token.length).toBeGreaterThan(40);
    expect(acr.expiresOnTimestamp).toBeGreaterThan(Date.now() + 3000_000);
    expect(acr.expiresOnTimestamp).toBeLessThanOrEqual(Date.now() + 3600_000);

    expect(mi.validate(acr.token, ACR_SCOPE)).toBe(true);
    expect(mi.validate(acr.token, 'https://containerregistry.azure.net')).toBe(true);
    expect(mi.validate(acr.token, 'https://containerregistry.azure.net/')).toBe(true);
    expect(mi.validate(aks.token, '6dae42f8-4368-4678-94ff-3960e28e3630')).toBe(true);
    expect(mi.validate(`Bearer ${aks.token}`, AKS_SCOPE)).toBe(true);
    // Bound to the resource it was issued for.
    expect(mi.validate(acr.token, AKS_SCOPE)).toBe(false);
    expect(mi.validate(aks.token, ACR_SCOPE)).toBe(false);
    expect(mi.validate(acr.token, 'https://management.azure.com/.default')).toBe(false);
    expect(mi.validate('not-a-token', ACR_SCOPE)).toBe(false);
    expect(mi.validate(`${acr.token}x`, ACR_SCOPE)).toBe(false);

    expect(mi.tokensIssued).toEqual([
      { resource: 'https://containerregistry.azure.net', token: acr.token },
      { resource: '6dae42f8-4368-4678-94ff-3960e28e3630', token: aks.token },
    ]);
    expect(mi.requests).toHaveLength(2);
    for (const r of mi.requests) {
      expect(r).toMatchObject({ method: 'GET', path: '/msi/token', kind: 'token', status: 200 });
      expect(r.query['api-version']).toBe('2019-08-01');
      expect(r.query.client_id).toBeUndefined();
    }
  });

  it('serves DefaultAzureCredential with managedIdentityClientId for both scopes', async () => {
    const clientId = '11111111-2222-3333-4444-555555555555';
    const mi = await start({ clientId });
    useEndpoint(mi);
    const credential = new DefaultAzureCredential({ managedIdentityClientId: clientId });
    const acr = await credential.getToken(ACR_SCOPE);
    const aks = await credential.getToken(AKS_SCOPE);
    expect(mi.validate(acr.token, ACR_SCOPE)).toBe(true);
    expect(mi.validate(aks.token, AKS_SCOPE)).toBe(true);
    expect(mi.validate(aks.token, ACR_SCOPE)).toBe(false);
    expect(mi.tokensIssued).toEqual([
      { resource: 'https://containerregistry.azure.net', token: acr.token, clientId },
      { resource: '6dae42f8-4368-4678-94ff-3960e28e3630', token: aks.token, clientId },
    ]);
    expect(mi.requests.map((r) => [r.kind, r.status, r.query.client_id, r.query.resource])).toEqual([
      ['token', 200, clientId, 'https://containerregistry.azure.net'],
      ['token', 200, clientId, '6dae42f8-4368-4678-94ff-3960e28e3630'],
    ]);
  });

  it('serves DefaultAzureCredential (system-assigned) for both scopes; MSAL answers repeats from its cache', async () => {
    const mi = await start();
    useEndpoint(mi);
    const credential = new DefaultAzureCredential();
    const acr = await credential.getToken(ACR_SCOPE);
    const aks = await credential.getToken(AKS_SCOPE);
    expect(mi.validate(acr.token, ACR_SCOPE)).toBe(true);
    expect(mi.validate(aks.token, AKS_SCOPE)).toBe(true);
    expect(mi.validate(acr.token, AKS_SCOPE)).toBe(false);
    const served = mi.requests.length;
    // The same identity and resource again: MSAL's process-wide cache answers, the endpoint is not asked.
    const again = await new ManagedIdentityCredential().getToken(ACR_SCOPE);
    expect(again.token).toBe(acr.token);
    expect(mi.requests.length).toBe(served);
  });

  it('serves DefaultAzureCredential reading AZURE_CLIENT_ID, and answers the documented body', async () => {
    const clientId = '22222222-2222-3333-4444-555555555555';
    const mi = await start({ clientId });
    useEndpoint(mi);
    process.env.AZURE_CLIENT_ID = clientId;
    const token = await new DefaultAzureCredential().getToken(AKS_SCOPE);
    expect(mi.validate(token.token, AKS_SCOPE)).toBe(true);
    expect(mi.requests.at(-1)?.query.client_id).toBe(clientId);

    const raw = await rawToken(mi, `api-version=2019-08-01&resource=https://containerregistry.azure.net&client_id=${clientId}`);
    expect(raw.status).toBe(200);
    const body = (await raw.json()) as Record<string, unknown>;
    expect(Object.keys(body).sort()).toEqual(['access_token', 'client_id', 'expires_on', 'resource', 'token_type']);
    expect(body).toMatchObject({ resource: 'https://containerregistry.azure.net', token_type: 'Bearer', client_id: clientId });
    expect(body.expires_on).toMatch(/^\d{10}$/);
    expect(Number(body.expires_on)).toBeGreaterThan(Date.now() / 1000 + 3590);
  });

  it('rejects another client id with 400 like the real endpoint', async () => {
    const mi = await start({ clientId: '33333333-2222-3333-4444-555555555555' });
    useEndpoint(mi);
    const wrong = new ManagedIdentityCredential({ clientId: '99999999-2222-3333-4444-555555555555' });
    await expect(wrong.getToken(ACR_SCOPE)).rejects.toThrow(/Unable to load the proper Managed Identity/);
    expect(mi.tokensIssued).toHaveLength(0);
    expect(mi.requests.at(-1)).toMatchObject({ kind: 'token', status: 400 });
    expect(mi.requests.at(-1)?.query.client_id).toBe('99999999-2222-3333-4444-555555555555');

    // Only a user-assigned identity is attached: no client_id means no identity either.
    const noId = await rawToken(mi, 'api-version=2019-08-01&resource=https://containerregistry.azure.net');
    expect(noId.status).toBe(400);
    expect(await noId.json()).toMatchObject({ statusCode: 400, message: 'Unable to load the proper Managed Identity.' });
  });

  it('rejects a wrong or missing X-IDENTITY-HEADER with 401', async () => {
    const clientId = '44444444-2222-3333-4444-555555555555';
    const processDefault = await start({ clientId });
    useEndpoint(processDefault);
    await processDefault.close();
    // The app's secret changed: the client still sends the one from its environment.
    const mi = await start({ clientId, header: 'rotated-secret' });
    expect(mi.env.IDENTITY_HEADER).toBe('rotated-secret');
    await expect(new ManagedIdentityCredential({ clientId }).getToken(ACR_SCOPE)).rejects.toThrow(/X-IDENTITY-HEADER|401/);
    expect(mi.requests.at(-1)).toMatchObject({ kind: 'token', status: 401 });

    const missing = await rawToken(mi, `api-version=2019-08-01&resource=https://containerregistry.azure.net&client_id=${clientId}`, null);
    expect(missing.status).toBe(401);
    const wrong = await rawToken(mi, `api-version=2019-08-01&resource=https://containerregistry.azure.net&client_id=${clientId}`, processDefault.header);
    expect(wrong.status).toBe(401);
    const good = await rawToken(mi, `api-version=2019-08-01&resource=https://containerregistry.azure.net&client_id=${clientId}`);
    expect(good.status).toBe(200);
    const badVersion = await rawToken(mi, `api-version=2017-09-01&resource=https://containerregistry.azure.net&client_id=${clientId}`);
    expect(badVersion.status).toBe(400);
    const noResource = await rawToken(mi, `api-version=2019-08-01&client_id=${clientId}`);
    expect(noResource.status).toBe(400);
    expect(mi.requests.map((r) => r.status)).toEqual([401, 401, 401, 200, 400, 400]);
    expect(mi.tokensIssued).toHaveLength(1);
  });
});

describe('managed identity emulator token lifetime and plumbing', () => {
  it('stops validating tokens once they expire', async () => {
    const mi = await start({ tokenLifetimeSeconds: 1 });
    const res = await rawToken(mi, 'api-version=2019-08-01&resource=https://containerregistry.azure.net');
    const body = (await res.json()) as { access_token: string; expires_on: string };
    expect(Number(body.expires_on)).toBeLessThanOrEqual(Math.ceil(Date.now() / 1000) + 1);
    expect(mi.validate(body.access_token, ACR_SCOPE)).toBe(true);
    await new Promise((r) => setTimeout(r, 1100));
    expect(mi.validate(body.access_token, ACR_SCOPE)).toBe(false);
  });

  it('expireTokens makes every issued token invalid', async () => {
    const mi = await start();
    const res = await rawToken(mi, 'api-version=2019-08-01&resource=https://vault.azure.net');
    const { access_token: token } = (await res.json()) as { access_token: string };
    expect(mi.validate(token, 'https://vault.azure.net/.default')).toBe(true);
    mi.expireTokens();
    expect(mi.validate(token, 'https://vault.azure.net/.default')).toBe(false);
  });

  it('keeps one endpoint per process; the newest open view answers with its own log', async () => {
    const a = await start();
    const b = await start({ clientId: '55555555-2222-3333-4444-555555555555', systemAssigned: true });
    expect(b.endpoint).toBe(a.endpoint);
    expect(b.header).toBe(a.header);
    expect((await rawToken(b, 'api-version=2019-08-01&resource=r1&client_id=55555555-2222-3333-4444-555555555555')).status).toBe(200);
    expect((await rawToken(b, 'api-version=2019-08-01&resource=r1')).status).toBe(200);
    expect(b.requests).toHaveLength(2);
    expect(a.requests).toHaveLength(0);
    await b.close();
    expect((await rawToken(a, 'api-version=2019-08-01&resource=r1&client_id=55555555-2222-3333-4444-555555555555')).status).toBe(400);
    expect(a.requests).toMatchObject([{ kind: 'token', status: 400 }]);
    // A token issued while b answered still validates: same endpoint.
    expect(a.validate(b.tokensIssued[0]?.token ?? '', 'r1')).toBe(true);
  });

  it('waits latencyMs before answering', async () => {
    const mi = await start({ latencyMs: 150 });
    const started = Date.now();
    const res = await rawToken(mi, 'api-version=2019-08-01&resource=x');
    expect(res.status).toBe(200);
    expect(Date.now() - started).toBeGreaterThanOrEqual(140);
  });
});
