/** What the cluster inventory yields: pods folded into workloads, their namespaces, and the pods it could not read. */

export type WorkloadKind = 'Deployment' | 'StatefulSet' | 'DaemonSet' | 'Job' | 'CronJob' | 'ReplicaSet' | 'Pod' | string;

export interface WorkloadRef {
  kind: WorkloadKind;
  name: string;
}

/**
 * One container of one workload running one image: all replicas that run the same
 * image and digest fold into a single entry with a pod count.
 */
export interface WorkloadContainer {
  namespace: string;
  workload: WorkloadRef;
  container: string;
  initContainer: boolean;
  /** Image string from the pod spec. */
  image: string;
  /** Digest the runtime reports in `status.imageID` (`sha256:...`), when it names a manifest digest. */
  runningDigest?: string;
  pods: number;
}

export interface NamespaceInfo {
  name: string;
  labels: Record<string, string>;
}

/** A pod the scan cannot read: where it is, as far as that is known, and what is wrong with it. */
export interface MalformedPod {
  /** Empty when the pod does not say. */
  namespace: string;
  /** `(unnamed)` when the pod does not say. */
  name: string;
  reason: string;
}
