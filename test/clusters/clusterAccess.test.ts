/**
 * AKS access details beyond the three-cluster estate: the Entra token on every Kubernetes
 * request is renewed before it expires, and a private cluster that cannot be reached says so.
 */
import { createServer } from 'node:net';
import { ManagedIdentityCredential } from '@azure/identity';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startArmEmulator, type ArmEmulator } from '../../emulators/arm.js';
import { makePod, startKubernetesApi, type KubernetesApiHandle } from '../../emulators/kubernetesApi.js';
import { normaliseResource, startManagedIdentityEndpoint, type ManagedIdentityEndpoint } from '../../emulators/managedIdentity.js';
import { ensureTestPki } from '../../emulators/testPki.js';
import { clusterSources } from '../../src/clusters/clusterSources.js';
import { readClusterInventory } from '../../src/inventory/kubernetesInventory.js';
import { silentLogger } from '../../src/log/logger.js';
import { scanClusters } from '../../src/scan/scanClusters.js';
import { AKS_RESOURCE, resourceId } from '../support/estate.js';
import { testSettings } from '../support/scanSettings.js';

let identity: ManagedIdentityEndpoint;
let kubernetes: KubernetesApiHandle;
let arm: ArmEmulator;
const savedEnv = { ...process.env };
const tokensSeen: string[] = [];

async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

beforeAll(async () => {
  const pki = ensureTestPki();
  // Tokens that live 2 minutes are inside the identity library's renewal window (5 minutes),
  // so every Kubernetes request must get a renewed token, never an expiring one.
  identity = await startManagedIdentityEndpoint({ tokenLifetimeSeconds: 120 });
  Object.assign(process.env, identity.env);
  kubernetes = await startKubernetesApi({
    pki,
    namespaces: [{ name: 'apps' }],
    pods: Array.from({ length: 30 }, (_, i) => makePod({ namespace: 'apps', name: `p-${i}`, containers: [{ name: 'c', image: 'r.io/a:prod-1' }] })),
    authorize: (auth) => {
      if (auth.bearerToken) tokensSeen.push(auth.bearerToken);
      return auth.bearerToken !== undefined && identity.validate(auth.bearerToken, AKS_RESOURCE);
    },
  });
  let armResource = '';
  const port = await closedPort();
  arm = await startArmEmulator({
    pki,
    validateArmToken: (token) => identity.validate(token, armResource),
    clusters: [
      { subscriptionId: '11111111-2222-3333-4444-555555555555', resourceGroup: 'rg', name: 'entra-aks', aadEnabled: true, kubeconfig: kubernetes.kubeconfig() },
      {
        subscriptionId: '11111111-2222-3333-4444-555555555555',
        resourceGroup: 'rg',
        name: 'private-aks',
        aadEnabled: true,
        privateFqdn: '127.0.0.1',
        kubeconfig: kubernetes.kubeconfig().replace(kubernetes.url, `https://127.0.0.1:${port}`),
      },
    ],
  });
  armResource = normaliseResource(arm.endpoint);
});
afterAll(async () => {
  process.env = savedEnv;
  await Promise.all([kubernetes?.close(), arm?.close(), identity?.close()]);
});

const config = () => ({ armEndpoint: arm.endpoint, clusters: [], clusterTimeoutMs: 30_000 });

describe('AKS access through ARM', () => {
  it('sends a valid, renewed AKS token on every Kubernetes request of an Entra cluster', async () => {
    const [source] = await clusterSources(
      { ...config(), clusters: [{ kind: 'resource', resourceId: resourceId('rg', 'entra-aks'), subscriptionId: '11111111-2222-3333-4444-555555555555', resourceGroup: 'rg', name: 'entra-aks', displayName: 'entra-aks' }] },
      { credential: new ManagedIdentityCredential(), logger: silentLogger },
    );
    const { kubeConfig } = await source!.connect(silentLogger, new AbortController().signal);
    const inventory = await readClusterInventory(kubeConfig, { excludedNamespaces: new Set(), logger: silentLogger, pageSize: 10 });
    expect(inventory.pods).toBe(30);
    const requests = kubernetes.requests.length;
    expect(requests).toBe(4); // namespaces + 3 pod pages
    expect(tokensSeen).toHaveLength(requests);
    expect(tokensSeen.every((t) => identity.validate(t, AKS_RESOURCE))).toBe(true);
    expect(new Set(tokensSeen).size).toBeGreaterThan(1);
  });

  it('says a private cluster is reachable only from its network when its API server cannot be reached', async () => {
    const sources = await clusterSources(
      { ...config(), clusters: [{ kind: 'resource', resourceId: resourceId('rg', 'private-aks'), subscriptionId: '11111111-2222-3333-4444-555555555555', resourceGroup: 'rg', name: 'private-aks', displayName: 'private-aks' }] },
      { credential: new ManagedIdentityCredential(), logger: silentLogger },
    );
    const report = await scanClusters(sources, {
      registries: new Set(['r.io']),
      settings: testSettings(),
      lookup: { newestMatchingTag: () => Promise.reject(new Error('not called')), platformManifests: () => Promise.resolve({ kind: 'ok' as const, digests: [] }) },
      clusterTimeoutMs: 30_000,
      logger: silentLogger,
    });
    expect(report.clusters[0]?.ok).toBe(false);
    expect(report.clusters[0]?.error).toMatch(/ECONNREFUSED|fetch failed/);
    expect(report.clusters[0]?.error).toContain('private cluster whose API server 127.0.0.1');
  });
});
