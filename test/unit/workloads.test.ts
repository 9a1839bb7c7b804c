import type { V1Pod } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { workloadOf } from '../../src/inventory/workloadOwner.js';
import { WorkloadFolder } from '../../src/inventory/workloadFolder.js';

function pod(name: string, owner?: { kind: string; name: string }, labels: Record<string, string> = {}): V1Pod {
  return {
    metadata: {
      name,
      namespace: 'ns',
      labels,
      ...(owner ? { ownerReferences: [{ apiVersion: 'apps/v1', kind: owner.kind, name: owner.name, uid: 'u', controller: true }] } : {}),
    },
  };
}

describe('workloadOf', () => {
  it.each([
    ['a Deployment through its ReplicaSet', pod('api-7d9f8b6c5-x', { kind: 'ReplicaSet', name: 'api-7d9f8b6c5' }, { 'pod-template-hash': '7d9f8b6c5' }), { kind: 'Deployment', name: 'api' }],
    ['a bare ReplicaSet (no template hash)', pod('rs-x', { kind: 'ReplicaSet', name: 'my-rs' }), { kind: 'ReplicaSet', name: 'my-rs' }],
    ['a StatefulSet', pod('db-0', { kind: 'StatefulSet', name: 'db' }), { kind: 'StatefulSet', name: 'db' }],
    ['a DaemonSet', pod('agent-abcde', { kind: 'DaemonSet', name: 'agent' }), { kind: 'DaemonSet', name: 'agent' }],
    ['a CronJob through its Job', pod('report-29412345-x', { kind: 'Job', name: 'report-29412345' }), { kind: 'CronJob', name: 'report' }],
    ['a plain Job', pod('migrate-x', { kind: 'Job', name: 'migrate' }), { kind: 'Job', name: 'migrate' }],
    ['a bare pod', pod('debug'), { kind: 'Pod', name: 'debug' }],
    ['a static pod (owned by its Node)', pod('etcd-node1', { kind: 'Node', name: 'node1' }), { kind: 'Pod', name: 'etcd-node1' }],
    ['a custom controller', pod('x', { kind: 'Rollout', name: 'web' }), { kind: 'Rollout', name: 'web' }],
  ])('resolves %s', (_label, p, expected) => {
    expect(workloadOf(p)).toEqual(expected);
  });
});

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
