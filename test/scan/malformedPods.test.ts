/**
 * Pods the scan cannot read (Kubernetes checks little: an owner reference needs only a
 * non-empty kind and name) are each reported as one `error` finding, and every other pod of the
 * cluster is scanned. The scan loop against the Kubernetes emulator serving such pods.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type V1Pod, KubeConfig } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makePod, startKubernetesApi, type KubernetesApiHandle } from '../../emulators/kubernetesApi.js';
import { ensureTestPki } from '../../emulators/testPki.js';
import { kubeconfigClusterSource } from '../../src/clusters/kubeconfigSource.js';
import { MAX_MALFORMED_PODS, readClusterInventory } from '../../src/inventory/kubernetesInventory.js';
import { silentLogger } from '../../src/log/logger.js';
import type { ClusterReport } from '../../src/model/finding.js';
import { malformedPodFindings } from '../../src/scan/malformedPodFindings.js';
import { scanClusters } from '../../src/scan/scanClusters.js';
import { testSettings } from '../support/scanSettings.js';

const LONG_OWNER = `web-${'x'.repeat(600)}`;
const LONG_KIND = `Kind${'K'.repeat(5_000)}`;

/** A valid running pod, then changed by `spoil` the way a hostile or broken cluster might. */
function pod(name: string, spoil: (pod: Record<string, unknown>) => void = () => undefined, namespace = 'apps'): V1Pod {
  const p = JSON.parse(JSON.stringify(makePod({ namespace, name, owner: { kind: 'ReplicaSet', name: `${name}-6d5f7c8b9` }, containers: [{ name: 'app', image: 'docker.io/library/nginx:1.27' }] }))) as Record<string, unknown>;
  spoil(p);
  return p as V1Pod;
}
const meta = (p: Record<string, unknown>) => p.metadata as Record<string, unknown>;
const spec = (p: Record<string, unknown>) => p.spec as Record<string, unknown>;
const owners = (p: Record<string, unknown>) => meta(p).ownerReferences as Array<Record<string, unknown>>;

let api: KubernetesApiHandle;
let dir: string;
let cluster: ClusterReport;

beforeAll(async () => {
  const pods = [
    pod('healthy-a'),
    pod('no-owner-name', (p) => delete owners(p)[0]?.name),
    pod('no-owner-kind', (p) => delete owners(p)[0]?.kind),
    pod('long-owner-kind', (p) => Object.assign(owners(p)[0] ?? {}, { kind: LONG_KIND, name: '' })),
    pod('containers-not-a-list', (p) => (spec(p).containers = { app: { image: 'nginx' } })),
    pod('container-without-name', (p) => delete (spec(p).containers as Array<Record<string, unknown>>)[0]?.name),
    pod('no-metadata', (p) => delete p.metadata),
    pod('long-owner', (p) => Object.assign(owners(p)[0] ?? {}, { kind: 'StatefulSet', name: LONG_OWNER })),
    pod('excluded-and-broken', (p) => (spec(p).containers = 'none'), 'kube-system'),
    pod('healthy-b'),
  ];
  // The emulator filters on status.phase: the pod without metadata keeps its status.
  api = await startKubernetesApi({ pki: ensureTestPki(), namespaces: [{ name: 'apps', labels: { slackChannel: 'apps-team' } }], pods });
  dir = mkdtempSync(join(tmpdir(), 'acr-aks-sync-malformed-'));
  api.writeKubeconfig(join(dir, 'kubeconfig.yaml'), { contextName: 'hostile-aks' });
  const report = await scanClusters([kubeconfigClusterSource({ path: join(dir, 'kubeconfig.yaml') })], {
    registries: new Set(),
    settings: testSettings({ tagPattern: '*', excludedNamespaces: ['kube-system'], defaultChannel: 'platform' }),
    lookup: { newestMatchingTag: () => Promise.reject(new Error('not called')), platformManifests: () => Promise.resolve({ kind: 'ok' as const, digests: [] }) },
    clusterTimeoutMs: 30_000,
    logger: silentLogger,
    kubernetesPageSize: 4,
  });
  cluster = report.clusters[0] as ClusterReport;
});
afterAll(async () => {
  await api?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('malformed pods', () => {
  it('are skipped and reported one by one; the cluster and its other pods are scanned', () => {
    expect(cluster).toMatchObject({ name: 'hostile-aks', ok: true, pods: 3 });
    const errors = cluster.findings.filter((f) => f.status === 'error').map((f) => [f.namespace, `${f.workload.kind}/${f.workload.name}`, f.reason, f.channel]);
    expect(errors).toEqual([
      ['', 'Pod/(unnamed)', 'malformed pod skipped: the pod has no metadata', 'platform'],
      ['apps', 'Pod/container-without-name', 'malformed pod skipped: spec.containers[0] has no name', 'apps-team'],
      ['apps', 'Pod/containers-not-a-list', 'malformed pod skipped: spec.containers is not a list', 'apps-team'],
      ['apps', 'Pod/long-owner-kind', expect.stringMatching(/^malformed pod skipped: metadata\.ownerReferences\[0\] \(KindK+…\) has no name$/), 'apps-team'],
      ['apps', 'Pod/no-owner-kind', 'malformed pod skipped: metadata.ownerReferences[0] has no kind', 'apps-team'],
      ['apps', 'Pod/no-owner-name', 'malformed pod skipped: metadata.ownerReferences[0] (ReplicaSet) has no name', 'apps-team'],
    ]);
    expect(cluster.findings.filter((f) => f.status === 'untracked').map((f) => f.workload.name)).toEqual(['healthy-a', 'healthy-b', LONG_OWNER]);
  });

  it('quote what they carry only in part, and keep real names in the finding', () => {
    const longKind = cluster.findings.find((f) => f.workload.name === 'long-owner-kind');
    expect(longKind?.reason?.length).toBeLessThan(200);
    expect(cluster.findings.find((f) => f.workload.kind === 'StatefulSet')?.workload.name).toBe(LONG_OWNER);
  });
});

describe('a cluster full of malformed pods', () => {
  it('reports the first hundred one by one and the rest in one finding', async () => {
    const many = await startKubernetesApi({
      pki: ensureTestPki(),
      namespaces: [{ name: 'apps' }],
      pods: Array.from({ length: MAX_MALFORMED_PODS + 5 }, (_, i) => pod(`broken-${i}`, (p) => delete owners(p)[0]?.name)),
    });
    try {
      const kc = new KubeConfig();
      kc.loadFromString(many.kubeconfig());
      const inventory = await readClusterInventory(kc, { excludedNamespaces: new Set(), logger: silentLogger });
      expect(inventory.malformedPods).toHaveLength(MAX_MALFORMED_PODS);
      expect(inventory.malformedPodsOmitted).toBe(5);
      const findings = malformedPodFindings(inventory, () => null);
      expect(findings).toHaveLength(MAX_MALFORMED_PODS + 1);
      expect(findings.at(-1)).toMatchObject({ status: 'error', pods: 5, workload: { kind: 'Pod', name: '(5 more)' }, reason: '5 more malformed pods skipped; only the first 100 are reported one by one' });
    } finally {
      await many.close();
    }
  });
});
