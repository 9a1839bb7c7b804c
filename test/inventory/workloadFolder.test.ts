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

  it('keeps replicas running different images apart (a rollout in progress) and announces each image once', () => {
    const folder = new WorkloadFolder();
    const first = folder.add({ namespace: 'ns', workload, containers: [{ name: 'app', image: 'r.io/a:prod-1', initContainer: false }] });
    const second = folder.add({ namespace: 'ns', workload, containers: [{ name: 'app', image: 'r.io/a:prod-2', initContainer: false }] });
    const third = folder.add({ namespace: 'other', workload, containers: [{ name: 'app', image: 'r.io/a:prod-2', initContainer: false }] });
    expect(first).toEqual(['r.io/a:prod-1']);
    expect(second).toEqual(['r.io/a:prod-2']);
    expect(third).toEqual([]);
    expect(folder.workloads().map((w) => `${w.namespace}/${w.image}/${w.pods}`)).toEqual(['ns/r.io/a:prod-1/1', 'ns/r.io/a:prod-2/1', 'other/r.io/a:prod-2/1']);
  });
});
