/** Clients and sample pods for the Kubernetes API emulator's tests (the real @kubernetes/client-node). */
import { ApiException, CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import type { V1Pod, V1PodList } from '@kubernetes/client-node';
import { expect } from 'vitest';
import { makePod } from '../../emulators/kubernetesApi.js';
import type { KubernetesApiHandle, KubeconfigOptions } from '../../emulators/kubernetesApi.js';

export const REGISTRY = 'contoso.azurecr.io';

export function client(k: KubernetesApiHandle, options?: KubeconfigOptions): CoreV1Api {
  const kc = new KubeConfig();
  kc.loadFromString(k.kubeconfig(options));
  return kc.makeApiClient(CoreV1Api);
}

export async function expectApiError(promise: Promise<unknown>, code: number): Promise<Record<string, unknown>> {
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
export function samplePods(): V1Pod[] {
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

export async function listAll(api: CoreV1Api, params: { fieldSelector?: string; limit?: number }): Promise<{ names: string[]; pages: V1PodList[] }> {
  const pages: V1PodList[] = [];
  let next: string | undefined;
  do {
    const page: V1PodList = await api.listPodForAllNamespaces({ ...params, ...(next ? { _continue: next } : {}) });
    pages.push(page);
    next = page.metadata?._continue;
  } while (next);
  return { names: pages.flatMap((p) => p.items.map((pod) => `${pod.metadata?.namespace}/${pod.metadata?.name}`)), pages };
}
