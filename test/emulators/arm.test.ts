import { ContainerServiceClient } from '@azure/arm-containerservice';
import type { GetTokenOptions, TokenCredential } from '@azure/identity';
import { afterEach, describe, expect, it } from 'vitest';
import { startArmEmulator } from '../../emulators/arm.js';
import type { ArmClusterSeed, ArmEmulator, ArmEmulatorOptions } from '../../emulators/arm.js';
import { requestJson, type RawJsonResponse } from '../../emulators/httpUtil.js';
import { ensureTestPki } from '../../emulators/testPki.js';

const pki = ensureTestPki();
const ARM_TOKEN = 'arm-token';
const SUB = '11111111-2222-3333-4444-555555555555';
const OTHER_SUB = '99999999-2222-3333-4444-555555555555';

function fakeCredential(token = ARM_TOKEN): TokenCredential & { scopes: string[][] } {
  const cred = {
    scopes: [] as string[][],
    getToken: async (scopes: string | string[], _options?: GetTokenOptions) => {
      cred.scopes.push(Array.isArray(scopes) ? scopes : [scopes]);
      return { token, expiresOnTimestamp: Date.now() + 3600e3 };
    },
  };
  return cred;
}

function kubeconfig(name: string): string {
  return [
    'apiVersion: v1',
    'kind: Config',
    'clusters:',
    `- name: ${name}`,
    '  cluster:',
    `    server: https://127.0.0.1:6443`,
    `    certificate-authority-data: ${Buffer.from(pki.caPem).toString('base64')}`,
    'contexts:',
    `- name: ${name}`,
    '  context:',
    `    cluster: ${name}`,
    `    user: clusterUser_rg_${name}`,
    `current-context: ${name}`,
    'users:',
    `- name: clusterUser_rg_${name}`,
    '  user:',
    '    exec:',
    '      apiVersion: client.authentication.k8s.io/v1beta1',
    '      command: kubelogin',
    '',
  ].join('\n');
}

function cluster(name: string, extra: Partial<ArmClusterSeed> = {}): ArmClusterSeed {
  return { subscriptionId: SUB, resourceGroup: 'rg-platform', name, aadEnabled: true, enableAzureRBAC: true, disableLocalAccounts: true, kubeconfig: kubeconfig(name), ...extra };
}

let arm: ArmEmulator | undefined;

async function start(overrides: Partial<ArmEmulatorOptions> = {}): Promise<ArmEmulator> {
  arm = await startArmEmulator({
    pki,
    validateArmToken: (t) => t === ARM_TOKEN,
    clusters: [
      cluster('aks-prod-weu', { location: 'westeurope', tags: { env: 'prod', team: 'payments' } }),
      cluster('aks-private', { privateFqdn: 'aks-private-1a2b3c.privatelink.westeurope.azmk8s.io' }),
      cluster('aks-local', { aadEnabled: false, enableAzureRBAC: undefined, disableLocalAccounts: false, fqdn: 'aks-local.hcp.westeurope.azmk8s.io' }),
      cluster('aks-no-read', { deny: 'get' }),
      cluster('aks-no-creds', { deny: 'credentials' }),
      cluster('aks-other-rg', { resourceGroup: 'rg-apps' }),
      cluster('aks-elsewhere', { subscriptionId: OTHER_SUB, resourceGroup: 'rg-x' }),
    ],
    ...overrides,
  });
  return arm;
}

function client(emu: ArmEmulator, credential: TokenCredential = fakeCredential(), subscriptionId = SUB): ContainerServiceClient {
  return new ContainerServiceClient(credential, subscriptionId, { endpoint: emu.endpoint });
}

function raw(emu: ArmEmulator, method: string, path: string, headers: Record<string, string> = {}): Promise<RawJsonResponse> {
  return requestJson(new URL(path, emu.endpoint), { method, caPem: pki.caPem, headers });
}

afterEach(async () => {
  await arm?.close();
  arm = undefined;
});

describe('ARM emulator with the real @azure/arm-containerservice SDK', () => {
  it('gets a managed cluster with the flattened properties the SDK exposes', async () => {
    const emu = await start();
    const mc = await client(emu).managedClusters.get('rg-platform', 'aks-prod-weu');
    expect(mc.id).toBe(`/subscriptions/${SUB}/resourcegroups/rg-platform/providers/Microsoft.ContainerService/managedClusters/aks-prod-weu`);
    expect(mc.name).toBe('aks-prod-weu');
    expect(mc.location).toBe('westeurope');
    expect(mc.type).toBe('Microsoft.ContainerService/ManagedClusters');
    expect(mc.tags).toEqual({ env: 'prod', team: 'payments' });
    expect(mc.provisioningState).toBe('Succeeded');
    expect(mc.powerState?.code).toBe('Running');
    expect(mc.kubernetesVersion).toMatch(/^\d+\.\d+\.\d+$/);
    expect(mc.fqdn).toBe('127.0.0.1'); // the host its user kubeconfig names, as in Azure
    expect(mc.privateFqdn).toBeUndefined();
    expect(mc.aadProfile).toMatchObject({ managed: true, enableAzureRbac: true });
    expect(mc.disableLocalAccounts).toBe(true);
    expect(mc.apiServerAccessProfile).toBeUndefined();

    const get = emu.requests.find((r) => r.kind === 'arm-get');
    expect(get).toMatchObject({ method: 'GET', status: 200, path: `/subscriptions/${SUB}/resourceGroups/rg-platform/providers/Microsoft.ContainerService/managedClusters/aks-prod-weu` });
    expect(get?.query['api-version']).toMatch(/^\d{4}-\d{2}-\d{2}/);
  });

  it('describes private and local-account clusters', async () => {
    const emu = await start();
    const c = client(emu);
    const priv = await c.managedClusters.get('rg-platform', 'aks-private');
    expect(priv.privateFqdn).toBe('aks-private-1a2b3c.privatelink.westeurope.azmk8s.io');
    expect(priv.fqdn).toBeUndefined();
    expect(priv.apiServerAccessProfile?.enablePrivateCluster).toBe(true);
    const local = await c.managedClusters.get('rg-platform', 'aks-local');
    expect(local.aadProfile).toBeUndefined();
    expect(local.disableLocalAccounts).toBe(false);
    expect(local.fqdn).toBe('aks-local.hcp.westeurope.azmk8s.io');
  });

  it('returns the kubeconfig from listClusterUserCredentials', async () => {
    const emu = await start();
    const creds = await client(emu).managedClusters.listClusterUserCredentials('rg-platform', 'aks-prod-weu');
    expect(creds.kubeconfigs).toHaveLength(1);
    expect(creds.kubeconfigs?.[0]?.name).toBe('clusterUser');
    const value = creds.kubeconfigs?.[0]?.value;
    expect(value).toBeInstanceOf(Uint8Array);
    expect(Buffer.from(value as Uint8Array).toString('utf8')).toBe(kubeconfig('aks-prod-weu'));
    const req = emu.requests.find((r) => r.kind === 'arm-credentials');
    expect(req).toMatchObject({ method: 'POST', status: 200, path: `/subscriptions/${SUB}/resourceGroups/rg-platform/providers/Microsoft.ContainerService/managedClusters/aks-prod-weu/listClusterUserCredential` });
  });

  it('lists a subscription two clusters per page through absolute nextLinks', async () => {
    const emu = await start();
    const names: string[] = [];
    for await (const mc of client(emu).managedClusters.list()) names.push(mc.name as string);
    // aks-no-read is hidden (no read permission); aks-elsewhere is in another subscription.
    expect(names).toEqual(['aks-prod-weu', 'aks-private', 'aks-local', 'aks-no-creds', 'aks-other-rg']);
    const lists = emu.requests.filter((r) => r.kind === 'arm-list');
    expect(lists).toHaveLength(3);
    expect(lists.every((r) => r.status === 200 && r.path === `/subscriptions/${SUB}/providers/Microsoft.ContainerService/managedClusters`)).toBe(true);
    expect(lists.map((r) => r.query.$skipToken)).toEqual([undefined, '2', '4']);
    expect(lists[1]?.query['api-version']).toBe(lists[0]?.query['api-version']);

    const first = await raw(emu, 'GET', `/subscriptions/${SUB}/providers/Microsoft.ContainerService/managedClusters?api-version=2025-01-01`, { authorization: `Bearer ${ARM_TOKEN}` });
    const body = first.json as { value: unknown[]; nextLink?: string };
    expect(body.value).toHaveLength(2);
    expect(body.nextLink).toBe(`${emu.endpoint}/subscriptions/${SUB}/providers/Microsoft.ContainerService/managedClusters?api-version=2025-01-01&%24skipToken=2`);

    const rgNames: string[] = [];
    for await (const mc of client(emu).managedClusters.listByResourceGroup('rg-apps')) rgNames.push(mc.name as string);
    expect(rgNames).toEqual(['aks-other-rg']);
    const other: string[] = [];
    for await (const mc of client(emu, fakeCredential(), OTHER_SUB).managedClusters.list()) other.push(mc.name as string);
    expect(other).toEqual(['aks-elsewhere']);
  });

  it('answers 403 AuthorizationFailed for denied calls, naming the action', async () => {
    const emu = await start();
    const c = client(emu);
    const noCreds = await c.managedClusters.listClusterUserCredentials('rg-platform', 'aks-no-creds').catch((e: unknown) => e);
    expect(noCreds).toMatchObject({ name: 'RestError', statusCode: 403, code: 'AuthorizationFailed' });
    expect((noCreds as Error).message).toContain("'Microsoft.ContainerService/managedClusters/listClusterUserCredential/action'");
    expect((noCreds as Error).message).toContain(`over scope '/subscriptions/${SUB}/resourceGroups/rg-platform/providers/Microsoft.ContainerService/managedClusters/aks-no-creds'`);
    // The same cluster can still be read.
    expect((await c.managedClusters.get('rg-platform', 'aks-no-creds')).name).toBe('aks-no-creds');

    const noRead = await c.managedClusters.get('rg-platform', 'aks-no-read').catch((e: unknown) => e);
    expect(noRead).toMatchObject({ statusCode: 403, code: 'AuthorizationFailed' });
    expect((noRead as Error).message).toContain("'Microsoft.ContainerService/managedClusters/read'");

    // With a JWT bearer that has an oid, the message names that principal.
    const oid = 'aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee';
    const jwt = `e30.${Buffer.from(JSON.stringify({ oid })).toString('base64url')}.sig`;
    const emu2 = await startArmEmulator({ pki, validateArmToken: (t) => t === jwt, clusters: [cluster('x', { deny: 'credentials' })] });
    try {
      const err = await client(emu2, fakeCredential(jwt)).managedClusters.listClusterUserCredentials('rg-platform', 'x').catch((e: unknown) => e);
      expect((err as Error).message).toContain(`The client '${oid}' with object id '${oid}'`);
    } finally {
      await emu2.close();
    }
  });

  it('answers 404 ResourceNotFound and ResourceGroupNotFound', async () => {
    const emu = await start({ resourceGroups: [{ subscriptionId: SUB, name: 'rg-empty' }] });
    const c = client(emu);
    const missing = await c.managedClusters.get('rg-platform', 'aks-gone').catch((e: unknown) => e);
    expect(missing).toMatchObject({ name: 'RestError', statusCode: 404, code: 'ResourceNotFound' });
    expect((missing as Error).message).toBe(
      "The Resource 'Microsoft.ContainerService/managedClusters/aks-gone' under resource group 'rg-platform' was not found. For more details please go to https://aka.ms/ARMResourceNotFoundFix",
    );
    await expect(c.managedClusters.listClusterUserCredentials('rg-empty', 'aks-gone')).rejects.toMatchObject({ statusCode: 404, code: 'ResourceNotFound' });
    await expect(c.managedClusters.get('rg-nowhere', 'aks-prod-weu')).rejects.toMatchObject({ statusCode: 404, code: 'ResourceGroupNotFound' });
    const empty: unknown[] = [];
    for await (const mc of c.managedClusters.listByResourceGroup('rg-empty')) empty.push(mc);
    expect(empty).toEqual([]);
  });

  it('rejects missing or invalid bearer tokens with 401 and WWW-Authenticate', async () => {
    const emu = await start({ tenantId: 'tenant-123' });
    const err = await client(emu, fakeCredential('wrong')).managedClusters.get('rg-platform', 'aks-prod-weu').catch((e: unknown) => e);
    expect(err).toMatchObject({ name: 'RestError', statusCode: 401, code: 'InvalidAuthenticationToken' });
    const res = await raw(emu, 'GET', `/subscriptions/${SUB}/resourceGroups/rg-platform/providers/Microsoft.ContainerService/managedClusters/aks-prod-weu?api-version=2025-01-01`);
    expect(res.status).toBe(401);
    expect(res.headers['www-authenticate']).toMatch(/^Bearer authorization_uri="https:\/\/login\.microsoftonline\.com\/tenant-123"/);
    expect(res.json).toMatchObject({ error: { code: 'InvalidAuthenticationToken' } });
    // api-version is mandatory, as on ARM.
    const noVersion = await raw(emu, 'GET', `/subscriptions/${SUB}/resourceGroups/rg-platform/providers/Microsoft.ContainerService/managedClusters/aks-prod-weu`, { authorization: `Bearer ${ARM_TOKEN}` });
    expect(noVersion.status).toBe(400);
    expect(noVersion.json).toMatchObject({ error: { code: 'MissingApiVersionParameter' } });
    // Paths are case-insensitive, as on ARM.
    const lower = await raw(emu, 'GET', `/subscriptions/${SUB}/resourcegroups/RG-PLATFORM/providers/microsoft.containerservice/managedclusters/AKS-PROD-WEU?api-version=2025-01-01`, { authorization: `Bearer ${ARM_TOKEN}` });
    expect(lower.status).toBe(200);
    expect((lower.json as { name: string }).name).toBe('aks-prod-weu');
  });

  it('requests the management.azure.com scope even with a custom endpoint (unless credentials.scopes is set)', async () => {
    const emu = await start();
    const cred = fakeCredential();
    await client(emu, cred).managedClusters.get('rg-platform', 'aks-prod-weu');
    expect(cred.scopes).toEqual([['https://management.azure.com/.default']]);

    const sovereign = fakeCredential();
    const c = new ContainerServiceClient(sovereign, SUB, { endpoint: emu.endpoint, credentials: { scopes: ['https://management.usgovcloudapi.net/.default'] } });
    await c.managedClusters.get('rg-platform', 'aks-prod-weu');
    expect(sovereign.scopes).toEqual([['https://management.usgovcloudapi.net/.default']]);
  });

  it('setClusters replaces the inventory', async () => {
    const emu = await start();
    emu.setClusters([cluster('aks-new', { resourceGroup: 'rg-new' })]);
    const c = client(emu);
    expect((await c.managedClusters.get('rg-new', 'aks-new')).name).toBe('aks-new');
    await expect(c.managedClusters.get('rg-platform', 'aks-prod-weu')).rejects.toMatchObject({ statusCode: 404, code: 'ResourceGroupNotFound' });
    const names: string[] = [];
    for await (const mc of c.managedClusters.list()) names.push(mc.name as string);
    expect(names).toEqual(['aks-new']);
  });
});
