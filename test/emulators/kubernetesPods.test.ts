/** makePod: pods as the Kubernetes API server returns them (emulators/kubernetes/pods.ts). */
import { describe, expect, it } from 'vitest';
import { makePod } from '../../emulators/kubernetesApi.js';
import { REGISTRY } from '../support/kubernetesApiClient.js';

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
