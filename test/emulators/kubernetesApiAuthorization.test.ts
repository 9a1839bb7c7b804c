/** The Kubernetes API emulator's authorizer (RBAC, 403), continue token expiry, latency and scale. */
import { CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import type { V1Pod } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { makePod, startKubernetesApi } from '../../emulators/kubernetesApi.js';
import type { KubernetesAuth } from '../../emulators/kubernetesApi.js';
import { ensureTestPki } from '../../emulators/testPki.js';
import { client, expectApiError, listAll, REGISTRY, samplePods } from '../support/kubernetesApiClient.js';

const pki = ensureTestPki();

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
