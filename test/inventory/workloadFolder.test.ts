import { describe, expect, it } from 'vitest';
import { WorkloadFolder } from '../../src/inventory/workloadFolder.js';

describe('WorkloadFolder', () => {
  const workload = { kind: 'Deployment', name: 'api' };
  it('folds replicas running the same image and digest into one entry with a pod count', () => {
    const folder = new WorkloadFolder();
    for (let i = 0; i < 40; i += 1) folder.add({ namespace: 'ns', workload, containers: [{ name: 'app', image: 'r.io/a:prod-1', runningDigest: 'sha256:a', initContainer: false }] });
    expect(folder.pods).toBe(40);
    expect(folder.workloads()).toEqual([{ namespace: 'ns', workload, container: 'app', initContainer: false, image: 'r.io/a:prod-1', runningDigest: 'sha256:a', pods: 40 }]);
  });

  it('keeps replicas running different images apart (a rollout in progress) and announces each new entry once', () => {
    const folder = new WorkloadFolder();
    const first = folder.add({ namespace: 'ns', workload, containers: [{ name: 'app', image: 'r.io/a:prod-1', initContainer: false }] });
    const second = folder.add({ namespace: 'ns', workload, containers: [{ name: 'app', image: 'r.io/a:prod-2', initContainer: false }] });
    const again = folder.add({ namespace: 'ns', workload, containers: [{ name: 'app', image: 'r.io/a:prod-2', initContainer: false }] });
    const third = folder.add({ namespace: 'other', workload, containers: [{ name: 'app', image: 'r.io/a:prod-2', initContainer: false }] });
    expect(first.map((w) => w.image)).toEqual(['r.io/a:prod-1']);
    expect(second.map((w) => w.image)).toEqual(['r.io/a:prod-2']);
    expect(again).toEqual([]);
    expect(third.map((w) => `${w.namespace}/${w.image}`)).toEqual(['other/r.io/a:prod-2']);
    expect(folder.workloads().map((w) => `${w.namespace}/${w.image}/${w.pods}`)).toEqual(['ns/r.io/a:prod-1/1', 'ns/r.io/a:prod-2/2', 'other/r.io/a:prod-2/1']);
  });

  it('folds pods whose acr-aks-sync annotations differ apart, and shares one copy of equal ones', () => {
    const folder = new WorkloadFolder();
    const app = [{ name: 'app', image: 'r.io/a:prod-1', initContainer: false }];
    const staging = (order: 'ab' | 'ba') => ({
      annotations: order === 'ab' ? { 'acr-aks-sync.io/tag-pattern': 'staging-*', 'acr-aks-sync.io/track': 'true' } : { 'acr-aks-sync.io/track': 'true', 'acr-aks-sync.io/tag-pattern': 'staging-*' },
      containers: ['app'],
    });
    folder.add({ namespace: 'ns', workload, containers: app });
    const [annotated] = folder.add({ namespace: 'ns', workload, containers: app, podSettings: staging('ab') });
    expect(folder.add({ namespace: 'ns', workload, containers: app, podSettings: staging('ba') })).toEqual([]);
    expect(folder.workloads().map((w) => [w.pods, w.podSettings?.annotations['acr-aks-sync.io/tag-pattern'] ?? null])).toEqual([
      [1, null],
      [2, 'staging-*'],
    ]);
    expect(annotated?.podSettings).toBe(folder.workloads()[1]?.podSettings);
  });
});
