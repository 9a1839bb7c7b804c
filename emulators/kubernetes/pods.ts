/**
 * Pods as the Kubernetes API server returns them (plain V1Pod objects), for the emulator's
 * estates: owner references, container statuses with image IDs, phases.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import type { V1Container, V1ContainerStatus, V1Pod } from '@kubernetes/client-node';

export interface MakePodContainer {
  name: string;
  image: string;
  /** Resolved image as the kubelet reports it, e.g. `registry/repo@sha256:...`. Default: derived from `image`. */
  imageID?: string;
}

export interface MakePodOptions {
  namespace: string;
  name: string;
  phase?: string;
  /** Controller owner; a ReplicaSet named `<deploy>-<hash>` also gets the `pod-template-hash` label. */
  owner?: { kind: string; name: string };
  labels?: Record<string, string>;
  /** The pod's annotations (as its workload's pod template gives them). */
  annotations?: Record<string, string>;
  containers: MakePodContainer[];
  initContainers?: MakePodContainer[];
  nodeName?: string;
}

function fakeDigest(seed: string): string {
  // Deterministic, realistic-looking digest (not a real content hash).
  let h = 0x811c9dc5;
  const out: string[] = [];
  for (let round = 0; round < 8; round++) {
    for (let i = 0; i < seed.length; i++) h = Math.imul(h ^ seed.charCodeAt(i), 0x01000193) >>> 0;
    h = Math.imul(h ^ round, 0x01000193) >>> 0;
    out.push(h.toString(16).padStart(8, '0'));
  }
  return `sha256:${out.join('')}`;
}

/** `registry/repo:tag` or `registry/repo@sha256:...` -> `registry/repo` (a tag after the last `/` only). */
function repositoryOf(image: string): string {
  const at = image.indexOf('@');
  const noDigest = at >= 0 ? image.slice(0, at) : image;
  const colon = noDigest.lastIndexOf(':');
  return colon > noDigest.lastIndexOf('/') ? noDigest.slice(0, colon) : noDigest;
}

function containerStatus(c: MakePodContainer, phase: string, init: boolean): V1ContainerStatus {
  const at = c.image.indexOf('@');
  const digestRef = at >= 0 ? `${repositoryOf(c.image)}${c.image.slice(at)}` : `${repositoryOf(c.image)}@${fakeDigest(c.image)}`;
  const startedAt = new Date('2024-06-01T12:00:00Z');
  const base = { name: c.name, image: c.image, restartCount: 0 };
  // Not pulled yet: the kubelet reports no imageID and no container.
  if (phase === 'Pending' && !init) {
    return { ...base, imageID: c.imageID ?? '', ready: false, started: false, state: { waiting: { reason: 'ContainerCreating' } } };
  }
  const containerID = `containerd://${randomBytes(32).toString('hex')}`;
  const running = phase === 'Running' && !init;
  return {
    ...base,
    imageID: c.imageID ?? digestRef,
    containerID,
    ready: running,
    started: running,
    state: running
      ? { running: { startedAt } }
      : { terminated: { exitCode: phase === 'Failed' && !init ? 1 : 0, reason: phase === 'Failed' && !init ? 'Error' : 'Completed', startedAt, finishedAt: startedAt, containerID } },
  };
}

function ownerApiVersion(kind: string): string {
  if (kind === 'ReplicaSet' || kind === 'StatefulSet' || kind === 'DaemonSet') return 'apps/v1';
  return kind === 'Job' ? 'batch/v1' : 'v1';
}

/** Builds a realistic V1Pod (plain object) as the API server would return it. */
export function makePod(options: MakePodOptions): V1Pod {
  const phase = options.phase ?? 'Running';
  const running = phase === 'Running';
  const labels: Record<string, string> = { ...options.labels };
  if (options.owner?.kind === 'ReplicaSet') {
    const m = /^(.+)-([a-z0-9]{5,10})$/.exec(options.owner.name);
    if (m?.[2]) {
      labels['pod-template-hash'] ??= m[2];
    }
  }
  const toContainer = (c: MakePodContainer): V1Container => ({
    name: c.name,
    image: c.image,
    imagePullPolicy: 'IfNotPresent',
    resources: {},
    terminationMessagePath: '/dev/termination-log',
    terminationMessagePolicy: 'File',
  });
  const pod: V1Pod = {
    metadata: {
      name: options.name,
      namespace: options.namespace,
      uid: randomUUID(),
      resourceVersion: String(100_000 + Math.floor(Math.random() * 900_000)),
      creationTimestamp: new Date('2024-06-01T11:59:50Z'),
      labels,
      ...(options.annotations ? { annotations: { ...options.annotations } } : {}),
      ...(options.owner
        ? { ownerReferences: [{ apiVersion: ownerApiVersion(options.owner.kind), kind: options.owner.kind, name: options.owner.name, uid: randomUUID(), controller: true, blockOwnerDeletion: true }] }
        : {}),
    },
    spec: {
      containers: options.containers.map(toContainer),
      ...(options.initContainers ? { initContainers: options.initContainers.map(toContainer) } : {}),
      nodeName: options.nodeName ?? 'aks-nodepool1-12345678-vmss000000',
      restartPolicy: 'Always',
      serviceAccountName: 'default',
      dnsPolicy: 'ClusterFirst',
      schedulerName: 'default-scheduler',
    },
    status: {
      phase,
      ...(running ? { podIP: '10.244.0.10', hostIP: '10.224.0.4', startTime: new Date('2024-06-01T11:59:50Z') } : {}),
      qosClass: 'BestEffort',
      containerStatuses: options.containers.map((c) => containerStatus(c, phase, false)),
      ...(options.initContainers ? { initContainerStatuses: options.initContainers.map((c) => containerStatus(c, phase, true)) } : {}),
    },
  };
  return pod;
}
