import { KubeConfig } from '@kubernetes/client-node';
import { afterEach, describe, expect, it } from 'vitest';
import { makePod, startKubernetesApi, type KubernetesApiHandle } from '../../emulators/kubernetesApi.js';
import { ensureTestPki } from '../../emulators/testPki.js';
import { createClusterAgent } from '../../src/inventory/clusterAgent.js';
import { readClusterInventory } from '../../src/inventory/kubernetesInventory.js';
import type { WorkloadContainer } from '../../src/model/workload.js';
import { listMetadataFromHead, runningPodPages } from '../../src/inventory/listPages.js';
import { silentLogger } from '../../src/log/logger.js';

const EXCLUDED = new Set(['kube-system']);
let api: KubernetesApiHandle | undefined;
afterEach(async () => {
  await api?.close();
  api = undefined;
});

function client(handle: KubernetesApiHandle): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromString(handle.kubeconfig());
  return kc;
}

/** 1,200 running pods in 30 Deployments of 40 replicas, plus noise that must not count. */
function largeEstate() {
  const pods = [];
  for (let d = 0; d < 30; d += 1) {
    for (let r = 0; r < 40; r += 1) {
      pods.push(
        makePod({
          namespace: `team-${d % 6}`,
          name: `svc-${d}-abcde${d % 10}-${r}`,
          owner: { kind: 'ReplicaSet', name: `svc-${d}-abcde${d % 10}` },
          containers: [
            { name: 'app', image: `reg.example.io/team/svc-${d}:prod-${d}` },
            { name: 'sidecar', image: 'reg.example.io/mesh/proxy:prod-1' },
          ],
          initContainers: [{ name: 'init', image: 'reg.example.io/mesh/init:prod-1' }],
        }),
      );
    }
  }
  pods.push(makePod({ namespace: 'kube-system', name: 'coredns-1', containers: [{ name: 'dns', image: 'reg.example.io/dns:prod-1' }] }));
  pods.push(makePod({ namespace: 'team-0', name: 'done-1', phase: 'Succeeded', containers: [{ name: 'x', image: 'reg.example.io/x:prod-1' }] }));
  pods.push(makePod({ namespace: 'team-0', name: 'waiting-1', phase: 'Pending', containers: [{ name: 'x', image: 'reg.example.io/y:prod-1' }] }));
  return pods;
}

describe('cluster inventory through @kubernetes/client-node', () => {
  it('reads 1,200 running pods across pages and folds replicas into one entry per workload container', async () => {
    api = await startKubernetesApi({
      pki: ensureTestPki(),
      namespaces: [
        ...Array.from({ length: 6 }, (_, i) => ({ name: `team-${i}`, labels: { slackChannel: `team-${i}-alerts` } as Record<string, string> })),
        { name: 'kube-system', labels: {} },
      ],
      pods: largeEstate(),
    });
    const announced: WorkloadContainer[] = [];
    const namespacesKnown: number[] = [];
    const inventory = await readClusterInventory(client(api), {
      excludedNamespaces: EXCLUDED,
      logger: silentLogger,
      pageSize: 500,
      onNewWorkload: (container, namespaces) => {
        announced.push(container);
        namespacesKnown.push(namespaces.size);
      },
    });

    expect(inventory.pods).toBe(1200);
    // 30 deployments x (app + sidecar + init) containers.
    expect(inventory.workloads).toHaveLength(90);
    const svc7 = inventory.workloads.find((w) => w.workload.name === 'svc-7' && w.container === 'app');
    expect(svc7).toMatchObject({ namespace: 'team-1', workload: { kind: 'Deployment', name: 'svc-7' }, pods: 40, initContainer: false });
    expect(svc7?.runningDigest).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(inventory.workloads.find((w) => w.workload.name === 'svc-7' && w.container === 'init')?.initContainer).toBe(true);
    expect(inventory.workloads.some((w) => w.namespace === 'kube-system')).toBe(false);
    expect(inventory.workloads.some((w) => w.image.includes('/x:') || w.image.includes('/y:'))).toBe(false);
    expect(inventory.namespaces.get('team-3')?.labels.slackChannel).toBe('team-3-alerts');
    // Every workload container is announced once, with every namespace already read (so its
    // registry lookup can start early, with the settings its namespace gives).
    expect(announced).toEqual(inventory.workloads);
    expect(new Set(announced).size).toBe(90);
    expect(namespacesKnown.every((n) => n === 7)).toBe(true);

    const podPages = api.requests.filter((r) => r.kind === 'pods-page');
    expect(podPages.length).toBe(3); // ceil(1,200 running pods / 500), the server filters by phase
    expect(podPages.every((r) => r.query.fieldSelector === 'status.phase=Running' && r.query.limit === '500')).toBe(true);
    expect(podPages.slice(1).every((r) => typeof r.query.continue === 'string' && r.query.continue.length > 0)).toBe(true);
  });

  it('restarts the listing when a continue token expires (410) and counts no pod twice', async () => {
    let podRequests = 0;
    const token = 'cluster-token';
    api = await startKubernetesApi({
      pki: ensureTestPki(),
      token,
      namespaces: [{ name: 'team-0' }],
      pods: largeEstate(),
      authorize: (auth) => {
        if (auth.resource === 'pods' && ++podRequests === 2) api?.expireContinueTokens();
        return auth.bearerToken === token;
      },
    });
    const inventory = await readClusterInventory(client(api), { excludedNamespaces: EXCLUDED, logger: silentLogger, pageSize: 500 });
    expect(api.requests.filter((r) => r.kind === 'pods-page' && r.status === 410)).toHaveLength(1);
    expect(inventory.pods).toBe(1200);
    expect(inventory.workloads.find((w) => w.workload.name === 'svc-0' && w.container === 'app')?.pods).toBe(40);
  });

  it('reads compressed pages when the API server compresses large answers', async () => {
    api = await startKubernetesApi({ pki: ensureTestPki(), namespaces: [{ name: 'team-0' }], pods: largeEstate(), compressAbove: 1024 });
    const inventory = await readClusterInventory(client(api), { excludedNamespaces: EXCLUDED, logger: silentLogger, pageSize: 500 });
    expect(inventory.pods).toBe(1200);
    const podPages = api.requests.filter((r) => r.kind === 'pods-page');
    expect(podPages).toHaveLength(3);
    expect(podPages.every((r) => r.contentEncoding === 'gzip')).toBe(true);
  });

  it('asks for the next pod page before the caller has taken the current one, and drops it when the caller stops', async () => {
    api = await startKubernetesApi({ pki: ensureTestPki(), namespaces: [{ name: 'team-0' }], pods: largeEstate() });
    const agent = createClusterAgent();
    const podPages = () => api!.requests.filter((r) => r.kind === 'pods-page').length;
    try {
      const pages = runningPodPages(client(api), { pageSize: 500, agent });
      const first = await pages.next();
      expect(first.value).toHaveLength(500);
      // The second page is requested while the first is still with the caller.
      await expect.poll(podPages, { timeout: 5_000 }).toBe(2);
      expect(podPages()).toBe(2);
      await pages.return(undefined);
      expect(podPages()).toBe(2);
    } finally {
      agent.release();
    }
  });

  it('asks for the next pod page as soon as the first bytes of the current one name its continue token', async () => {
    // Each page's body stalls for 300 ms after its first 2 KB (metadata and a few pods).
    api = await startKubernetesApi({ pki: ensureTestPki(), namespaces: [{ name: 'team-0' }], pods: largeEstate(), compressAbove: Number.POSITIVE_INFINITY, pauseBody: { afterBytes: 2048, ms: 300 } });
    const agent = createClusterAgent();
    try {
      const pages = runningPodPages(client(api), { pageSize: 500, agent });
      const first = await pages.next();
      expect(first.value).toHaveLength(500);
      // By the time the first page has arrived whole, the second was asked for and answered in part.
      expect(api.requests.filter((r) => r.kind === 'pods-page')).toHaveLength(2);
      const rest: number[] = [];
      for await (const items of pages) rest.push(items.length);
      expect(rest).toEqual([500, 201]);
    } finally {
      agent.release();
    }
  });

  it('fails with the HTTP status when the credential is rejected', async () => {
    api = await startKubernetesApi({ pki: ensureTestPki(), namespaces: [], pods: [] });
    const kc = new KubeConfig();
    kc.loadFromString(api.kubeconfig({ user: { token: 'wrong-token' } }));
    await expect(readClusterInventory(kc, { excludedNamespaces: EXCLUDED, logger: silentLogger })).rejects.toMatchObject({ code: 401 });
  });
});

describe('listMetadataFromHead', () => {
  it('reads a list\'s metadata from the first bytes of its answer, when they hold all of it', () => {
    expect(listMetadataFromHead('{"kind":"PodList","apiVersion":"v1","metadata":{"resourceVersion":"7","continue":"eyJ2In0="},"items":[{"metadata":')).toEqual({
      resourceVersion: '7',
      continue: 'eyJ2In0=',
    });
    expect(listMetadataFromHead('{"kind":"PodList","apiVersion":"v1","metadata":{"resourceVersion":"7"},"items":[]}')).toEqual({ resourceVersion: '7' });
  });

  it('answers nothing for a head that is incomplete or not in the API server\'s order', () => {
    expect(listMetadataFromHead('{"kind":"PodList","apiVersion":"v1","metadata":{"resourceVersion":"7","contin')).toBeUndefined();
    expect(listMetadataFromHead('{"kind":"PodList","items":[{"metadata":{"name":"a"}}],"metadata":{"continue":"x"}}')).toBeUndefined();
    expect(listMetadataFromHead('{"kind":"PodList","apiVersion":"v1","items":[]}')).toBeUndefined();
    expect(listMetadataFromHead('{"metadata":{"annotations":{"a":"b"},"items":["x"]}')).toBeUndefined();
  });
});
