import type { V1Pod } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { workloadOf } from '../../src/inventory/workloadOwner.js';

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
