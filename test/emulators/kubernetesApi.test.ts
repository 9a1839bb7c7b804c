import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ApiException, CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import type { V1Pod, V1PodList } from '@kubernetes/client-node';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { makePod, startKubernetesApi } from '../../emulators/kubernetesApi.js';
import type { KubernetesApiHandle, KubernetesAuth, KubeconfigOptions } from '../../emulators/kubernetesApi.js';
import { ensureTestPki } from '../../emulators/testPki.js';

const pki = ensureTestPki();
const REGISTRY = 'contoso.azurecr.io';

function client(k: KubernetesApiHandle, options?: KubeconfigOptions): CoreV1Api {
  const kc = new KubeConfig();
  kc.loadFromString(k.kubeconfig(options));
  return kc.makeApiClient(CoreV1Api);
}

async function expectApiError(promise: Promise<unknown>, code: number): Promise<Record<string, unknown>> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ApiException);
  const apiErr = err as ApiException<unknown>;
  expect(apiErr.code).toBe(code);
  return (typeof apiErr.body === 'string' ? JSON.parse(apiErr.body) : apiErr.body) as Record<string, unknown>;
}

/** 3 namespaces; 18 Running, 3 Pending, 2 Succeeded pods. */
function samplePods(): V1Pod[] {
  const pods: V1Pod[] = [];
  const namespaces = ['team-a', 'team-b', 'kube-system'];
  for (let i = 0; i < 23; i++) {
    const ns = namespaces[i % 3] ?? 'default';
    const phase = i < 18 ? 'Running' : i < 21 ? 'Pending' : 'Succeeded';
    pods.push(
      makePod({
        namespace: ns,
        name: `web-7d9f8c6b5d-${String(i).padStart(5, '0')}`,
        phase,
        owner: { kind: 'ReplicaSet', name: 'web-7d9f8c6b5d' },
        containers: [{ name: 'web', image: `${REGISTRY}/web:1.${i}.0` }],
      }),
    );
  }
  return pods;
}

async function listAll(api: CoreV1Api, params: { fieldSelector?: string; limit?: number }): Promise<{ names: string[]; pages: V1PodList[] }> {
  const pages: V1PodList[] = [];
  let next: string | undefined;
  do {
    const page: V1PodList = await api.listPodForAllNamespaces({ ...params, ...(next ? { _continue: next } : {}) });
    pages.push(page);
    next = page.metadata?._continue;
  } while (next);
  return { names: pages.flatMap((p) => p.items.map((pod) => `${pod.metadata?.namespace}/${pod.metadata?.name}`)), pages };
}

describe('makePod', () => {
  it('builds a realistic pod owned by a ReplicaSet', () => {
    const pod = makePod({
      namespace: 'shop',
      name: 'cart-6b7c9d8f5-x2k9p',
      owner: { kind: 'ReplicaSet', name: 'cart-6b7c9d8f5' },
      labels: { app: 'cart' },
      containers: [
        { name: 'cart', image: `${REGISTRY}/shop/cart:2.3.1` },
        { name: 'sidecar', image: `${REGISTRY}/mesh/proxy@sha256:${'a'.repeat(64)}` },
      ],
      initContainers: [{ name: 'migrate', image: `${REGISTRY}/shop/migrate:2.3.1`, imageID: `${REGISTRY}/shop/migrate@sha256:${'b'.repeat(64)}` }],
    });
    expect(pod.metadata?.labels).toEqual({ app: 'cart', 'pod-template-hash': '6b7c9d8f5' });
    expect(pod.metadata?.ownerReferences).toMatchObject([{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'cart-6b7c9d8f5', controller: true }]);
    expect(pod.spec?.containers.map((c) => c.image)).toEqual([`${REGISTRY}/shop/cart:2.3.1`, `${REGISTRY}/mesh/proxy@sha256:${'a'.repeat(64)}`]);
    expect(pod.status?.phase).toBe('Running');
    const [cart, sidecar] = pod.status?.containerStatuses ?? [];
    expect(cart?.image).toBe(`${REGISTRY}/shop/cart:2.3.1`);
    expect(cart?.imageID).toMatch(new RegExp(`^${REGISTRY}/shop/cart@sha256:[0-9a-f]{64}$`));
    expect(cart?.state?.running).toBeDefined();
    expect(sidecar?.imageID).toBe(`${REGISTRY}/mesh/proxy@sha256:${'a'.repeat(64)}`);
    expect(pod.status?.initContainerStatuses?.[0]).toMatchObject({ name: 'migrate', imageID: `${REGISTRY}/shop/migrate@sha256:${'b'.repeat(64)}`, state: { terminated: { reason: 'Completed' } } });
    // Same image, same digest: deterministic.
    const again = makePod({ namespace: 'shop', name: 'other', containers: [{ name: 'cart', image: `${REGISTRY}/shop/cart:2.3.1` }] });
    expect(again.status?.containerStatuses?.[0]?.imageID).toBe(cart?.imageID);
    expect(again.metadata?.ownerReferences).toBeUndefined();
    expect(again.metadata?.labels).toEqual({});

    const pending = makePod({ namespace: 'shop', name: 'p', phase: 'Pending', containers: [{ name: 'c', image: 'nginx:1.27' }] });
    expect(pending.status?.containerStatuses?.[0]).toMatchObject({ imageID: '', state: { waiting: { reason: 'ContainerCreating' } } });
  });
});

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

describe('Kubernetes API emulator authorization and scale', () => {
  it('passes bearer tokens and certificate CNs to authorize, and answers 403 for forbidden', async () => {
    const seen: KubernetesAuth[] = [];
    const k = await startKubernetesApi({
      pki,
      namespaces: [{ name: 'default' }],
      pods: [makePod({ namespace: 'default', name: 'a', containers: [{ name: 'c', image: 'nginx:1.27' }] })],
      authorize: (auth) => {
        seen.push(auth);
        if (auth.clientCertCN === 'clusterUser') return true;
        if (auth.bearerToken === 'entra-reader') return auth.resource === 'namespaces' ? 'forbidden' : true;
        return false;
      },
    });
    try {
      // The production path: no user credentials in the kubeconfig, a fresh Entra token per request.
      const kc = new KubeConfig();
      kc.loadFromString(k.kubeconfig({ user: {} }));
      kc.addAuthenticator({
        isAuthProvider: () => true,
        applyAuthentication: async (_user, opts) => {
          opts.headers = { ...opts.headers, Authorization: 'Bearer entra-reader' };
        },
      });
      const api = kc.makeApiClient(CoreV1Api);
      expect((await api.listPodForAllNamespaces()).items).toHaveLength(1);
      const forbidden = await expectApiError(api.listNamespace(), 403);
      expect(forbidden).toMatchObject({ kind: 'Status', reason: 'Forbidden', code: 403 });
      expect(k.requests.at(-1)).toMatchObject({ kind: 'namespaces-page', status: 403 });
      await client(k, { user: { clientCert: true } }).listNamespace();
      expect(seen).toEqual([
        { resource: 'pods', bearerToken: 'entra-reader' },
        { resource: 'namespaces', bearerToken: 'entra-reader' },
        { resource: 'namespaces', clientCertCN: 'clusterUser' },
      ]);
    } finally {
      await k.close();
    }
  });

  it('expires continue tokens after continueTokenTtlMs and honours latencyMs', async () => {
    const k = await startKubernetesApi({ pki, namespaces: [], pods: samplePods(), continueTokenTtlMs: 200, latencyMs: 100 });
    try {
      const api = client(k);
      const started = Date.now();
      const first = await api.listPodForAllNamespaces({ limit: 10 });
      expect(Date.now() - started).toBeGreaterThanOrEqual(95);
      await new Promise((r) => setTimeout(r, 250));
      await expectApiError(api.listPodForAllNamespaces({ limit: 10, _continue: first.metadata?._continue ?? '' }), 410);
    } finally {
      await k.close();
    }
  });

  it('serves 20,000 pods in pages of 500', async () => {
    const many: V1Pod[] = [];
    for (let i = 0; i < 20_000; i++) {
      many.push(
        makePod({
          namespace: `ns-${i % 50}`,
          name: `app-${i}`,
          phase: i % 10 === 0 ? 'Succeeded' : 'Running',
          owner: { kind: 'ReplicaSet', name: `app-${i % 200}-5d8f7c9b6` },
          containers: [{ name: 'app', image: `${REGISTRY}/app-${i % 200}:1.0.${i % 7}` }],
        }),
      );
    }
    const k = await startKubernetesApi({ pki, namespaces: [], pods: many });
    try {
      const { names, pages } = await listAll(client(k), { fieldSelector: 'status.phase=Running', limit: 500 });
      expect(names).toHaveLength(18_000);
      expect(new Set(names).size).toBe(18_000);
      expect(pages).toHaveLength(36);
      expect(k.requests.filter((r) => r.kind === 'pods-page' && r.status === 200)).toHaveLength(36);
    } finally {
      await k.close();
    }
  });
});
