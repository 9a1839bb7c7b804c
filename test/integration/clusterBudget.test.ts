/**
 * Each cluster has its own time budget (CLUSTER_TIMEOUT): one that hangs is reported as such,
 * and the next cluster is still scanned.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { kubeconfigClusterSource } from '../../src/clusters/kubeconfigSource.js';
import { silentLogger } from '../../src/log/logger.js';
import { scanClusters } from '../../src/scan/scanClusters.js';
import { makePod, startKubernetesApi, type KubernetesApiHandle } from '../emulators/kubernetesApi.js';
import { ensureTestPki } from '../emulators/testPki.js';

let slow: KubernetesApiHandle;
let fast: KubernetesApiHandle;
let dir: string;

beforeAll(async () => {
  const pki = ensureTestPki();
  const pods = [makePod({ namespace: 'apps', name: 'web-0', containers: [{ name: 'web', image: 'docker.io/library/nginx:1.27' }] })];
  slow = await startKubernetesApi({ pki, namespaces: [{ name: 'apps' }], pods, latencyMs: 5_000 });
  fast = await startKubernetesApi({ pki, namespaces: [{ name: 'apps' }], pods });
  dir = mkdtempSync(join(tmpdir(), 'acr-aks-sync-budget-'));
  slow.writeKubeconfig(join(dir, 'slow.yaml'), { contextName: 'slow-aks' });
  fast.writeKubeconfig(join(dir, 'fast.yaml'), { contextName: 'fast-aks' });
});
afterAll(async () => {
  await Promise.all([slow?.close(), fast?.close()]);
  rmSync(dir, { recursive: true, force: true });
});

describe('per-cluster time budget', () => {
  it('cuts off a cluster that takes too long and still scans the next one', async () => {
    const report = await scanClusters([kubeconfigClusterSource(join(dir, 'slow.yaml'), {}), kubeconfigClusterSource(join(dir, 'fast.yaml'), {})], {
      rules: { registries: new Set(['myacr.azurecr.io']), matchesTagPattern: () => true },
      lookup: { newestMatchingTag: () => Promise.reject(new Error('not called')), platformManifests: () => Promise.resolve([]) },
      gracePeriodMs: 0,
      excludedNamespaces: new Set(),
      channelLabel: 'slackChannel',
      defaultChannel: null,
      clusterTimeoutMs: 500,
      logger: silentLogger,
    });
    expect(report.clusters[0]).toMatchObject({ name: 'slow-aks', ok: false, error: 'cluster scan exceeded its time budget (CLUSTER_TIMEOUT) of 500ms' });
    expect(report.clusters[1]).toMatchObject({ name: 'fast-aks', ok: true, pods: 1 });
    expect(report.clusters[1]?.findings[0]).toMatchObject({ status: 'untracked', registry: 'docker.io' });
    expect(report.summary.clustersFailed).toBe(1);
  });
});
