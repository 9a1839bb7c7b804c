/**
 * A function invocation returns with nothing it started left running, even when the identity
 * endpoint or ARM accepts requests and never answers: the HTTP handler as the host calls it.
 */
import { HttpRequest, InvocationContext } from '@azure/functions';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAcrRegistry, type AcrRegistryEmulator } from '../../emulators/acrRegistry.js';
import { startArmEmulator, type ArmEmulator } from '../../emulators/arm.js';
import { makePod, startKubernetesApi, type KubernetesApiHandle } from '../../emulators/kubernetesApi.js';
import { normaliseResource, startManagedIdentityEndpoint, type ManagedIdentityEndpoint } from '../../emulators/managedIdentity.js';
import { ACR_RESOURCE } from '../../emulators/sandbox.js';
import { ensureTestPki } from '../../emulators/testPki.js';
import { scanNowHandler } from '../../src/functions/scanNow.js';
import type { ScanReport } from '../../src/model/finding.js';
import { AKS_RESOURCE, resourceId, SUBSCRIPTION } from '../support/estate.js';

let identity: ManagedIdentityEndpoint;
let arm: ArmEmulator;
let kubernetes: KubernetesApiHandle;
let registry: AcrRegistryEmulator;
const savedEnv = { ...process.env };

beforeAll(async () => {
  const pki = ensureTestPki();
  identity = await startManagedIdentityEndpoint();
  kubernetes = await startKubernetesApi({
    pki,
    namespaces: [{ name: 'apps' }],
    pods: [makePod({ namespace: 'apps', name: 'web-0', containers: [{ name: 'web', image: 'docker.io/library/nginx:1.27' }] })],
    authorize: (auth) => auth.bearerToken !== undefined && identity.validate(auth.bearerToken, AKS_RESOURCE),
  });
  registry = await startAcrRegistry({ pki, validateEntraToken: (token) => identity.validate(token, ACR_RESOURCE), repositories: {} });
  let armResource = '';
  arm = await startArmEmulator({
    pki,
    validateArmToken: (token) => identity.validate(token, armResource),
    clusters: [
      { subscriptionId: SUBSCRIPTION, resourceGroup: 'rg', name: 'healthy-aks', aadEnabled: true, kubeconfig: kubernetes.kubeconfig() },
      { subscriptionId: SUBSCRIPTION, resourceGroup: 'rg', name: 'stuck-aks', aadEnabled: true, kubeconfig: kubernetes.kubeconfig(), hang: 'get' },
    ],
  });
  armResource = normaliseResource(arm.endpoint);
  for (const key of Object.keys(process.env)) if (/^(SLACK_|CLUSTERS|REGISTRIES|ACR_|AZURE_CLIENT_ID)/.test(key)) delete process.env[key];
  Object.assign(process.env, identity.env, {
    ARM_ENDPOINT: arm.endpoint,
    CLUSTERS: [resourceId('rg', 'stuck-aks'), resourceId('rg', 'healthy-aks')].join(','),
    REGISTRIES: registry.loginServer,
    ALLOW_ANY_REGISTRY_HOST: 'true',
    CLUSTER_TIMEOUT: '1s',
  });
});
afterAll(async () => {
  process.env = savedEnv;
  await Promise.all([arm?.close(), kubernetes?.close(), registry?.close(), identity?.close()]);
});

async function scanNow(): Promise<ScanReport> {
  const context = new InvocationContext({ invocationId: 'lifetime', functionName: 'scanNow', logHandler: () => undefined });
  const response = await scanNowHandler(new HttpRequest({ method: 'GET', url: 'http://localhost:7071/api/scanNow?dryRun=true' }), context);
  expect(response.status).toBe(200);
  return response.jsonBody as ScanReport;
}

describe('scanNow returns with nothing left running', () => {
  it('cancels every token request to an identity endpoint that never answers', async () => {
    // First in this file: no token is cached yet (MSAL keeps tokens for the process).
    const hung = await startManagedIdentityEndpoint({ hang: true });
    try {
      const report = await scanNow();
      expect(report.clusters.every((c) => !c.ok)).toBe(true);
      await expect.poll(() => hung.open.count, { timeout: 10_000 }).toBe(0);
      expect(hung.open.closedCount).toBeGreaterThan(0);
    } finally {
      await hung.close();
    }
  });
  it('cancels an ARM read that never answers, and reports the other cluster', async () => {
    const report = await scanNow();
    expect(report.clusters.map((c) => [c.name, c.ok, c.error ?? ''])).toEqual([
      ['stuck-aks', false, 'cluster scan exceeded its time budget (CLUSTER_TIMEOUT) of 1s'],
      ['healthy-aks', true, ''],
    ]);
    await expect.poll(() => arm.open.count, { timeout: 10_000 }).toBe(0);
    expect(arm.open.closedCount).toBe(1);
  });

});
