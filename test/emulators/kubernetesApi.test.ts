/** The Kubernetes API emulator's lists, paging, selectors, authentication and kubeconfigs, through @kubernetes/client-node. */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import type { V1Pod } from '@kubernetes/client-node';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { makePod, startKubernetesApi } from '../../emulators/kubernetesApi.js';
import type { KubernetesApiHandle } from '../../emulators/kubernetesApi.js';
import { ensureTestPki } from '../../emulators/testPki.js';
import { client, expectApiError, listAll, REGISTRY, samplePods } from '../support/kubernetesApiClient.js';

const pki = ensureTestPki();

describe('Kubernetes API emulator with @kubernetes/client-node', () => {
  let k: KubernetesApiHandle;
  let pods: V1Pod[];
  beforeAll(async () => {
    pods = samplePods();
    k = await startKubernetesApi({
      pki,
      namespaces: [{ name: 'team-a', labels: { team: 'a' } }, { name: 'team-b' }, { name: 'kube-system' }],
      pods,
    });
  });
  afterAll(() => k.close());
  afterEach(() => {
    k.setPods(pods);
  });

  it('pages Running pods across all namespaces with limit and continue', async () => {
    const api = client(k);
    const before = k.requests.length;
    const { names, pages } = await listAll(api, { fieldSelector: 'status.phase=Running', limit: 5 });
    const expected = pods.filter((p) => p.status?.phase === 'Running').map((p) => `${p.metadata?.namespace}/${p.metadata?.name}`);
    expect(names).toEqual(expected);
    expect(pages.map((p) => p.items.length)).toEqual([5, 5, 5, 3]);
    expect(new Set(pages.map((p) => p.metadata?.resourceVersion)).size).toBe(1);
    expect(pages[0]?.items[0]?.status?.containerStatuses?.[0]?.imageID).toMatch(/@sha256:[0-9a-f]{64}$/);
    expect(pages[0]?.items[0]?.metadata?.ownerReferences?.[0]?.controller).toBe(true);
    const log = k.requests.slice(before);
    expect(log.map((r) => [r.method, r.path, r.kind, r.status])).toEqual(Array(4).fill(['GET', '/api/v1/pods', 'pods-page', 200]));
    expect(log[0]?.query).toEqual({ fieldSelector: 'status.phase=Running', limit: '5' });
    expect(log[1]?.query.continue).toBe(pages[0]?.metadata?._continue);
  });

  it('filters by phase with = and !=, and lists everything without a selector', async () => {
    const api = client(k);
    expect((await listAll(api, { fieldSelector: 'status.phase!=Running', limit: 2 })).names).toHaveLength(5);
    expect((await api.listPodForAllNamespaces({ fieldSelector: 'status.phase==Pending' })).items).toHaveLength(3);
    const all = await api.listPodForAllNamespaces({ limit: 20 });
    expect(all.items).toHaveLength(20);
    expect(all.metadata?.remainingItemCount).toBe(3);
    expect((await api.listPodForAllNamespaces()).items).toHaveLength(23);
    expect((await api.listPodForAllNamespaces({ fieldSelector: 'status.phase=Running,metadata.namespace=team-b' })).items).toHaveLength(6);
    expect((await api.listPodForAllNamespaces({ labelSelector: 'pod-template-hash=7d9f8c6b5d' })).items).toHaveLength(23);
    const bad = await expectApiError(api.listPodForAllNamespaces({ fieldSelector: 'status.podIP=1.2.3.4' }), 400);
    expect(bad).toMatchObject({ kind: 'Status', reason: 'BadRequest', code: 400 });
  });

  it('lists namespaces (paged) and the pods of one namespace', async () => {
    const api = client(k);
    const first = await api.listNamespace({ limit: 2 });
    expect(first.items.map((n) => n.metadata?.name)).toEqual(['team-a', 'team-b']);
    expect(first.items[0]?.metadata?.labels).toEqual({ 'kubernetes.io/metadata.name': 'team-a', team: 'a' });
    expect(first.items[0]?.status?.phase).toBe('Active');
    const second = await api.listNamespace({ limit: 2, _continue: first.metadata?._continue ?? '' });
    expect(second.items.map((n) => n.metadata?.name)).toEqual(['kube-system']);
    expect(second.metadata?._continue).toBeUndefined();
    expect((await api.listNamespace()).items).toHaveLength(3);
    expect(k.requests.slice(-3).map((r) => [r.kind, r.status])).toEqual(Array(3).fill(['namespaces-page', 200]));

    const teamA = await api.listNamespacedPod({ namespace: 'team-a', fieldSelector: 'status.phase=Running', limit: 4 });
    expect(teamA.items).toHaveLength(4);
    expect(teamA.items.every((p) => p.metadata?.namespace === 'team-a')).toBe(true);
    const rest = await api.listNamespacedPod({ namespace: 'team-a', fieldSelector: 'status.phase=Running', limit: 4, _continue: teamA.metadata?._continue ?? '' });
    expect(rest.items).toHaveLength(2);
    expect(k.requests.at(-1)).toMatchObject({ path: '/api/v1/namespaces/team-a/pods', kind: 'pods-page', status: 200 });
    // A continue token is bound to its list.
    await expectApiError(api.listPodForAllNamespaces({ limit: 4, _continue: teamA.metadata?._continue ?? '' }), 400);
  });

  it('rejects a wrong or missing token with 401 Status', async () => {
    await expectApiError(client(k, { user: { token: 'wrong-token' } }).listPodForAllNamespaces({ limit: 5 }), 401);
    expect(k.requests.at(-1)).toMatchObject({ kind: 'pods-page', status: 401 });
    // client-node drops the 401 body (its OpenAPI spec declares none); check the wire body directly.
    const raw = await fetch(`${k.url}/api/v1/pods?limit=5`, { headers: { Authorization: 'Bearer wrong-token' } });
    expect(raw.status).toBe(401);
    expect(await raw.json()).toEqual({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: 'Unauthorized', reason: 'Unauthorized', code: 401 });
    await expectApiError(client(k, { user: {} }).listNamespace(), 401);
    expect(k.requests.at(-1)).toMatchObject({ kind: 'namespaces-page', status: 401 });
  });

  it('accepts a client certificate signed by the cluster CA', async () => {
    const api = client(k, { user: { clientCert: true } });
    expect((await api.listPodForAllNamespaces({ fieldSelector: 'status.phase=Running' })).items).toHaveLength(18);
  });

  it('rejects a client certificate from another CA', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'k8s-other-ca-'));
    try {
      const other = ensureTestPki(dir);
      const b64 = (s: string) => Buffer.from(s).toString('base64');
      const yaml = k
        .kubeconfig({ user: { clientCert: true } })
        .replace(b64(pki.clientCertPem), b64(other.clientCertPem))
        .replace(b64(pki.clientKeyPem), b64(other.clientKeyPem));
      const kc = new KubeConfig();
      kc.loadFromString(yaml);
      await expectApiError(kc.makeApiClient(CoreV1Api).listNamespace(), 401);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('answers 410 Expired for an expired continue token', async () => {
    const api = client(k);
    const first = await api.listPodForAllNamespaces({ fieldSelector: 'status.phase=Running', limit: 5 });
    const token = first.metadata?._continue;
    expect(token).toBeTruthy();
    k.expireContinueTokens();
    const body = await expectApiError(api.listPodForAllNamespaces({ fieldSelector: 'status.phase=Running', limit: 5, _continue: token ?? '' }), 410);
    expect(body).toMatchObject({
      kind: 'Status',
      apiVersion: 'v1',
      status: 'Failure',
      reason: 'Expired',
      code: 410,
      message: 'The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter.',
    });
    expect(k.requests.at(-1)).toMatchObject({ kind: 'pods-page', status: 410 });
    // A garbage token is a bad request, not an expired one.
    await expectApiError(api.listPodForAllNamespaces({ limit: 5, _continue: 'bm90LWpzb24' }), 400);
  });

  it('keeps a paged list consistent when the pods change, and bumps resourceVersion', async () => {
    const api = client(k);
    const first = await api.listPodForAllNamespaces({ limit: 10 });
    const rvBefore = first.metadata?.resourceVersion;
    k.setPods([makePod({ namespace: 'team-a', name: 'only', containers: [{ name: 'c', image: `${REGISTRY}/x:1` }] })]);
    const second = await api.listPodForAllNamespaces({ limit: 10, _continue: first.metadata?._continue ?? '' });
    expect(second.items).toHaveLength(10);
    expect(second.metadata?.resourceVersion).toBe(rvBefore);
    const fresh = await api.listPodForAllNamespaces({ limit: 10 });
    expect(fresh.items.map((p) => p.metadata?.name)).toEqual(['only']);
    expect(Number(fresh.metadata?.resourceVersion)).toBeGreaterThan(Number(rvBefore));
  });

  it('answers 404 Status for paths it does not serve', async () => {
    const body = await expectApiError(client(k).readNamespace({ name: 'team-a' }), 404);
    expect(body).toMatchObject({ kind: 'Status', reason: 'NotFound', code: 404 });
    expect(k.requests.at(-1)).toMatchObject({ path: '/api/v1/namespaces/team-a', kind: 'other', status: 404 });
  });

  it('writes a kubeconfig file that client-node loads', () => {
    const dir = mkdtempSync(join(tmpdir(), 'kubeconfig-'));
    try {
      const file = join(dir, 'config');
      k.writeKubeconfig(file, { contextName: 'ctx', clusterName: 'aks-prod' });
      const kc = new KubeConfig();
      kc.loadFromFile(file);
      expect(kc.getCurrentContext()).toBe('ctx');
      expect(kc.getCurrentCluster()).toMatchObject({ name: 'aks-prod', server: k.url });
      expect(Buffer.from(kc.getCurrentCluster()?.caData ?? '', 'base64').toString()).toBe(pki.caPem);
      expect(kc.getCurrentUser()?.token).toBe(k.token);
      expect(readFileSync(file, 'utf8')).toContain('current-context: "ctx"');
      const exec = { apiVersion: 'client.authentication.k8s.io/v1beta1', command: 'kubelogin', args: ['get-token', '--login', 'msi'] };
      const withExec = new KubeConfig();
      withExec.loadFromString(k.kubeconfig({ user: { exec } }));
      expect(withExec.getCurrentUser()?.exec).toMatchObject(exec);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
