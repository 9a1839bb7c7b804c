/**
 * Each cluster has its own time budget (CLUSTER_TIMEOUT): one that hangs is reported as such,
 * and the next cluster is still scanned. The next cluster's connection is resolved while the
 * current one is listed, but its budget starts with its own turn.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makePod, startKubernetesApi, type KubernetesApiHandle } from '../../emulators/kubernetesApi.js';
import { ensureTestPki } from '../../emulators/testPki.js';
import type { ClusterSource } from '../../src/clusters/clusterSource.js';
import { kubeconfigClusterSource } from '../../src/clusters/kubeconfigSource.js';
import { silentLogger } from '../../src/log/logger.js';
import { scanClusters } from '../../src/scan/scanClusters.js';
import { startOnePodCluster } from '../support/onePodEstate.js';
import { testSettings } from '../support/scanSettings.js';

let slow: KubernetesApiHandle;
let steady: KubernetesApiHandle;
let fast: KubernetesApiHandle;
let dir: string;

beforeAll(async () => {
  slow = await startOnePodCluster({ latencyMs: 5_000 });
  steady = await startOnePodCluster({ latencyMs: 1_000 });
  fast = await startOnePodCluster();
  dir = mkdtempSync(join(tmpdir(), 'acr-aks-sync-budget-'));
  slow.writeKubeconfig(join(dir, 'slow.yaml'), { contextName: 'slow-aks' });
  steady.writeKubeconfig(join(dir, 'steady.yaml'), { contextName: 'steady-aks' });
  fast.writeKubeconfig(join(dir, 'fast.yaml'), { contextName: 'fast-aks' });
});
afterAll(async () => {
  await Promise.all([slow?.close(), steady?.close(), fast?.close()]);
  rmSync(dir, { recursive: true, force: true });
});

const options = (clusterTimeoutMs: number) => ({
  registries: new Set(['myacr.azurecr.io']),
  settings: testSettings({ tagPattern: '*' }),
  lookup: { newestMatchingTag: () => Promise.reject(new Error('not called')), platformManifests: () => Promise.resolve({ kind: 'ok' as const, digests: [] }) },
  clusterTimeoutMs,
  logger: silentLogger,
});

describe('per-cluster time budget', () => {
  it('connects the next cluster while the current one is listed, and starts its budget with its turn', async () => {
    // The first cluster's answers take 1 s. The next cluster's connection starts with the scan
    // and takes 2 s: longer than the budget of 1.5 s, but within 1.5 s of its turn.
    const answeredByFirstWhenNextConnected: number[] = [];
    const fastSource = kubeconfigClusterSource({ path: join(dir, 'fast.yaml') });
    const next: ClusterSource = {
      name: 'next-aks',
      connect: async (logger, signal) => {
        answeredByFirstWhenNextConnected.push(steady.requests.length);
        await new Promise((resolve) => setTimeout(resolve, 2_000));
        return fastSource.connect(logger, signal);
      },
    };
    const report = await scanClusters([kubeconfigClusterSource({ path: join(dir, 'steady.yaml') }), next], options(1_500));
    expect(answeredByFirstWhenNextConnected).toEqual([0]);
    expect(report.clusters.map((c) => [c.name, c.ok, c.pods])).toEqual([
      ['steady-aks', true, 1],
      ['next-aks', true, 1],
    ]);
  });

  it('reports a lookup that outlasts the budget as one error finding, and the rest of the cluster as usual', async () => {
    const pods = [
      makePod({ namespace: 'apps', name: 'fast-0', containers: [{ name: 'fast', image: 'myacr.azurecr.io/fast:prod-2', imageID: `myacr.azurecr.io/fast@sha256:${'2'.repeat(64)}` }] }),
      makePod({ namespace: 'apps', name: 'slow-0', containers: [{ name: 'slow', image: 'myacr.azurecr.io/slow:prod-1' }] }),
    ];
    const api = await startKubernetesApi({ pki: ensureTestPki(), namespaces: [{ name: 'apps' }], pods });
    try {
      api.writeKubeconfig(join(dir, 'mixed.yaml'), { contextName: 'mixed-aks' });
      const newest = { name: 'prod-2', digest: `sha256:${'2'.repeat(64)}`, lastUpdatedOn: new Date('2026-01-01T00:00:00Z') };
      const lookup = {
        // The slow repository's lookup never finishes; the fast one answers at once.
        newestMatchingTag: (_registry: string, repository: string) =>
          repository === 'slow' ? new Promise<never>(() => undefined) : Promise.resolve({ kind: 'found' as const, newest, examined: 1 }),
        platformManifests: () => Promise.resolve({ kind: 'ok' as const, digests: [] }),
      };
      const report = await scanClusters([kubeconfigClusterSource({ path: join(dir, 'mixed.yaml') })], { ...options(1_000), lookup });
      expect(report.clusters[0]).toMatchObject({ name: 'mixed-aks', ok: true, pods: 2 });
      expect(report.clusters[0]?.findings.map((f) => [f.workload.name, f.status, f.reason ?? ''])).toEqual([
        ['fast-0', 'in-sync', ''],
        ['slow-0', 'error', "registry lookup of myacr.azurecr.io/slow did not finish within the cluster's time budget (CLUSTER_TIMEOUT 1s)"],
      ]);
    } finally {
      await api.close();
    }
  });

  it('cancels the next cluster\'s connection, started ahead of its turn, when the run ends', async () => {
    const signals: AbortSignal[] = [];
    const waiting: ClusterSource = {
      name: 'next-aks',
      connect: (_logger, signal) => {
        signals.push(signal);
        return new Promise<never>((_resolve, reject) => signal.addEventListener('abort', () => reject(signal.reason as Error)));
      },
    };
    const run = new AbortController();
    // The first cluster takes a second to answer; the run ends while it is listed.
    setTimeout(() => run.abort(new Error('the scan run is over')), 300);
    const report = await scanClusters([kubeconfigClusterSource({ path: join(dir, 'steady.yaml') }), waiting], { ...options(30_000), signal: run.signal });
    expect(signals).toHaveLength(1);
    expect(signals[0]?.aborted).toBe(true);
    expect(report.clusters.map((c) => [c.name, c.ok, c.error])).toEqual([
      ['steady-aks', false, 'the scan run is over'],
      ['next-aks', false, 'the scan run is over'],
    ]);
  });

  it('cuts off a cluster that takes too long and still scans the next one', async () => {
    const report = await scanClusters([kubeconfigClusterSource({ path: join(dir, 'slow.yaml') }), kubeconfigClusterSource({ path: join(dir, 'fast.yaml') })], options(500));
    expect(report.clusters[0]).toMatchObject({ name: 'slow-aks', ok: false, error: 'cluster scan exceeded its time budget (CLUSTER_TIMEOUT) of 500ms' });
    expect(report.clusters[1]).toMatchObject({ name: 'fast-aks', ok: true, pods: 1 });
    expect(report.clusters[1]?.findings[0]).toMatchObject({ status: 'untracked', registry: 'docker.io' });
    expect(report.summary.clustersFailed).toBe(1);
  });
});
