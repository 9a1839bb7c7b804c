/**
 * AKS clusters through ARM when ARM or its answers cannot be trusted: discovery within its own
 * budget and with bounded paging, ARM reads cancelled with the cluster's budget, and ARM's
 * kubeconfig taken only as far as it must be (nothing run or read from disk, credentials only
 * to the cluster's own FQDN, the ARM token only to ARM). Production code end to end: the
 * managed-identity credential, `@azure/arm-containerservice` and the Kubernetes listing,
 * against the emulators over HTTPS.
 */
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startArmEmulator, type ArmClusterSeed, type ArmEmulator, type ArmEmulatorOptions } from '../../emulators/arm.js';
import { makePod, startKubernetesApi, type KubernetesApiHandle } from '../../emulators/kubernetesApi.js';
import { normaliseResource, startManagedIdentityEndpoint, type ManagedIdentityEndpoint } from '../../emulators/managedIdentity.js';
import { ensureTestPki } from '../../emulators/testPki.js';
import { clusterSources } from '../../src/clusters/clusterSources.js';
import type { ClusterTarget } from '../../src/config/clusterTargets.js';
import { createAzureCredential } from '../../src/identity/createAzureCredential.js';
import { silentLogger } from '../../src/log/logger.js';
import type { ScanReport } from '../../src/model/finding.js';
import { scanClusters } from '../../src/scan/scanClusters.js';
import { testSettings } from '../support/scanSettings.js';

const SUB = '11111111-2222-3333-4444-555555555555';
const OTHER_SUB = '66666666-2222-3333-4444-555555555555';
const AKS_RESOURCE = '6dae42f8-4368-4678-94ff-3960e28e3630';
const pki = ensureTestPki();

let identity: ManagedIdentityEndpoint;
let kubernetes: KubernetesApiHandle;
let dir: string;
const savedEnv = { ...process.env };
const arms: ArmEmulator[] = [];
/** Every bearer token the Kubernetes emulator received. */
const kubernetesTokens: string[] = [];

beforeAll(async () => {
  identity = await startManagedIdentityEndpoint();
  Object.assign(process.env, identity.env);
  dir = mkdtempSync(join(tmpdir(), 'acr-aks-sync-arm-trust-'));
  kubernetes = await startKubernetesApi({
    pki,
    token: 'local-account-token',
    namespaces: [{ name: 'apps' }],
    pods: [makePod({ namespace: 'apps', name: 'web-0', containers: [{ name: 'web', image: 'docker.io/library/nginx:1.27' }] })],
    authorize: (auth) => {
      if (auth.bearerToken) kubernetesTokens.push(auth.bearerToken);
      return auth.bearerToken === 'local-account-token' || (auth.bearerToken !== undefined && identity.validate(auth.bearerToken, AKS_RESOURCE));
    },
  });
});
afterAll(async () => {
  process.env = savedEnv;
  await Promise.all([kubernetes?.close(), identity?.close(), ...arms.map((a) => a.close())]);
  rmSync(dir, { recursive: true, force: true });
});

function seed(name: string, extra: Partial<ArmClusterSeed> = {}): ArmClusterSeed {
  return { subscriptionId: SUB, resourceGroup: 'rg', name, aadEnabled: true, kubeconfig: kubernetes.kubeconfig({ clusterName: name }), ...extra };
}

async function startArm(clusters: ArmClusterSeed[], options: Partial<ArmEmulatorOptions> = {}): Promise<ArmEmulator> {
  let armResource = '';
  const arm = await startArmEmulator({ pki, validateArmToken: (token) => identity.validate(token, armResource), clusters, ...options });
  armResource = normaliseResource(arm.endpoint);
  arms.push(arm);
  return arm;
}

function resource(name: string, subscriptionId = SUB): ClusterTarget {
  return { kind: 'resource', resourceId: `/subscriptions/${subscriptionId}/resourceGroups/rg/providers/Microsoft.ContainerService/managedClusters/${name}`, subscriptionId, resourceGroup: 'rg', name, displayName: name };
}

async function scan(arm: ArmEmulator, clusters: ClusterTarget[], clusterTimeoutMs = 30_000): Promise<ScanReport> {
  const config = { armEndpoint: arm.endpoint, clusters, clusterTimeoutMs };
  const sources = await clusterSources(config, { credential: createAzureCredential({ azureClientId: undefined }), logger: silentLogger });
  return scanClusters(sources, {
    registries: new Set(),
    settings: testSettings(),
    lookup: { newestMatchingTag: () => Promise.reject(new Error('not called')), platformManifests: () => Promise.resolve({ kind: 'ok' as const, digests: [] }) },
    clusterTimeoutMs,
    logger: silentLogger,
  });
}

const outcome = (report: ScanReport) => report.clusters.map((c) => ({ name: c.name, ok: c.ok, pods: c.pods, ...(c.error ? { error: c.error } : {}) }));

describe('discovery of subscription: entries', () => {
  it('fails a subscription whose cluster list never answers after CLUSTER_TIMEOUT, cancels the list, and scans every other cluster', async () => {
    const healthy = await startArm([seed('healthy-aks', { subscriptionId: OTHER_SUB })], { hang: ['arm-list'] });
    const report = await scan(healthy, [{ kind: 'subscription', subscriptionId: SUB }, resource('healthy-aks', OTHER_SUB)], 1_000);
    expect(outcome(report)).toEqual([
      { name: 'healthy-aks', ok: true, pods: 1 },
      { name: `subscription:${SUB}`, ok: false, pods: 0, error: `cannot list the clusters of subscription ${SUB}: ARM did not list the clusters within the discovery's time budget (CLUSTER_TIMEOUT 1s)` },
    ]);
    await expect.poll(() => healthy.open.count, { timeout: 10_000 }).toBe(0);
    expect(healthy.open.closedCount).toBe(1);
  });

  it('ends a cluster list whose nextLink points to itself, with the reason, after two pages', async () => {
    const looping = await startArm([seed('a-aks'), seed('b-aks'), seed('c-aks')], { listNextLink: { to: 'self' } });
    const report = await scan(looping, [{ kind: 'subscription', subscriptionId: SUB }]);
    expect(report.clusters).toHaveLength(1);
    expect(report.clusters[0]).toMatchObject({ name: `subscription:${SUB}`, ok: false });
    expect(report.clusters[0]?.error).toContain("ARM's cluster list repeated the nextLink of an earlier page (page 2:");
    expect(looping.requests.filter((r) => r.kind === 'arm-list')).toHaveLength(2);
  });

  it('sends nothing, and no ARM token, to another host a nextLink names', async () => {
    const elsewhereTokens: string[] = [];
    const elsewhere = await startArmEmulator({ pki, validateArmToken: (token) => elsewhereTokens.push(token) > 0, clusters: [] });
    arms.push(elsewhere);
    const redirecting = await startArm([seed('a-aks'), seed('b-aks'), seed('c-aks')], { listNextLink: { to: 'origin', origin: elsewhere.endpoint.replace('127.0.0.1', 'localhost') } });
    const report = await scan(redirecting, [{ kind: 'subscription', subscriptionId: SUB }]);
    expect(report.clusters[0]).toMatchObject({ name: `subscription:${SUB}`, ok: false });
    expect(report.clusters[0]?.error).toContain('refused to send the ARM token to https://localhost:');
    expect(elsewhere.requests).toEqual([]);
    expect(elsewhereTokens).toEqual([]);
  });
});

describe('reaching a cluster through ARM', () => {
  it('fails a cluster whose ARM read never answers at its budget, cancels the read, and scans the next cluster', async () => {
    const arm = await startArm([seed('stuck-aks', { hang: 'get' }), seed('next-aks')]);
    const report = await scan(arm, [resource('stuck-aks'), resource('next-aks')], 1_000);
    expect(outcome(report)).toEqual([
      { name: 'stuck-aks', ok: false, pods: 0, error: 'cluster scan exceeded its time budget (CLUSTER_TIMEOUT) of 1s' },
      { name: 'next-aks', ok: true, pods: 1 },
    ]);
    await expect.poll(() => arm.open.count, { timeout: 10_000 }).toBe(0);
    expect(arm.open.closedCount).toBe(1);
  });

  it('never runs an exec user of a local-account cluster\'s kubeconfig, and says why it refused it', async () => {
    const marker = join(dir, 'exec-ran');
    const exec = { apiVersion: 'client.authentication.k8s.io/v1beta1', command: process.execPath, args: ['-e', `require('fs').writeFileSync(${JSON.stringify(marker)}, 'ran')`] };
    const arm = await startArm([seed('local-aks', { aadEnabled: false, kubeconfig: kubernetes.kubeconfig({ clusterName: 'local-aks', user: { exec } }) })]);
    const report = await scan(arm, [resource('local-aks')]);
    expect(report.clusters[0]).toMatchObject({ name: 'local-aks', ok: false });
    expect(report.clusters[0]?.error).toContain('the user kubeconfig from ARM has a user with "exec", which is never run');
    expect(existsSync(marker)).toBe(false);
  });

  it('never reads a token file named by a local-account cluster\'s kubeconfig', async () => {
    const tokenFile = join(dir, 'host-secret-token');
    writeFileSync(tokenFile, 'local-account-token');
    const withTokenFile = kubernetes.kubeconfig({ clusterName: 'file-aks' }).replace(/^ {4}token: .*$/m, `    token-file: ${JSON.stringify(tokenFile)}`);
    const arm = await startArm([seed('file-aks', { aadEnabled: false, kubeconfig: withTokenFile })]);
    const before = kubernetes.requests.length;
    const report = await scan(arm, [resource('file-aks')]);
    expect(report.clusters[0]?.error).toContain('has a user with "token-file"');
    expect(kubernetes.requests.length).toBe(before);
  });

  it('sends the identity\'s AKS token only to the cluster\'s FQDN as ARM reports it', async () => {
    const arm = await startArm([seed('entra-aks', { fqdn: 'entra-aks-12ab.hcp.westeurope.azmk8s.io' })]);
    const before = kubernetesTokens.length;
    const report = await scan(arm, [resource('entra-aks')]);
    expect(report.clusters[0]).toMatchObject({ name: 'entra-aks', ok: false });
    expect(report.clusters[0]?.error).toBe(
      "the user kubeconfig from ARM names the API server 127.0.0.1, which is not the cluster's FQDN as ARM reports it (entra-aks-12ab.hcp.westeurope.azmk8s.io); no credential is sent there",
    );
    expect(kubernetesTokens.length).toBe(before);
  });

  it('sends a local account\'s credential only to the cluster\'s FQDN or private FQDN', async () => {
    const arm = await startArm([
      seed('local-aks', { aadEnabled: false, privateFqdn: 'local-aks.privatelink.westeurope.azmk8s.io', kubeconfig: kubernetes.kubeconfig({ clusterName: 'local-aks' }) }),
      seed('private-aks', { aadEnabled: false, privateFqdn: '127.0.0.1', kubeconfig: kubernetes.kubeconfig({ clusterName: 'private-aks' }) }),
    ]);
    const before = kubernetesTokens.length;
    const report = await scan(arm, [resource('local-aks'), resource('private-aks')]);
    expect(report.clusters[0]?.error).toContain("names the API server 127.0.0.1, which is not the cluster's FQDN as ARM reports it (local-aks.privatelink.westeurope.azmk8s.io)");
    expect(report.clusters[1]).toMatchObject({ name: 'private-aks', ok: true, pods: 1 });
    expect(kubernetesTokens.slice(before).every((t) => t === 'local-account-token')).toBe(true);
    expect(kubernetesTokens.length - before).toBe(2); // the private cluster's namespace and pod lists
  });
});
