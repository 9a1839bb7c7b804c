/**
 * Which workload a pod belongs to, from its controller owner reference alone (pure, no API
 * calls): a ReplicaSet named `<deployment>-<pod-template-hash>` is a Deployment's, a Job named
 * `<cronjob>-<scheduled minutes>` is a CronJob's. Reading the ReplicaSets and Jobs would cost a
 * request per owner; these naming rules are what the controllers themselves guarantee.
 */
import type { V1Pod } from '@kubernetes/client-node';
import type { WorkloadRef } from '../model/workload.js';

const CRONJOB_JOB_SUFFIX = /^(.+)-\d{8,}$/;

export function workloadOf(pod: V1Pod): WorkloadRef {
  const meta = pod.metadata;
  const owner = meta?.ownerReferences?.find((o) => o.controller) ?? meta?.ownerReferences?.[0];
  const podName = meta?.name ?? '(unnamed)';
  if (!owner) return { kind: 'Pod', name: podName };
  if (owner.kind === 'ReplicaSet') {
    const hash = meta?.labels?.['pod-template-hash'];
    if (hash && owner.name.endsWith(`-${hash}`)) {
      return { kind: 'Deployment', name: owner.name.slice(0, -(hash.length + 1)) };
    }
    return { kind: 'ReplicaSet', name: owner.name };
  }
  if (owner.kind === 'Job') {
    const cron = CRONJOB_JOB_SUFFIX.exec(owner.name);
    if (cron?.[1]) return { kind: 'CronJob', name: cron[1] };
    return { kind: 'Job', name: owner.name };
  }
  if (owner.kind === 'Node') return { kind: 'Pod', name: podName }; // static (mirror) pod
  return { kind: owner.kind, name: owner.name };
}
