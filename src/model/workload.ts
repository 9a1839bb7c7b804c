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
  /** The acr-aks-sync annotations of the pods' template, when they have any (shared by the workload's containers). */
  podSettings?: PodSettingAnnotations;
}

/**
 * A pod's acr-aks-sync annotations (`acr-aks-sync.io/...` and `<setting>.acr-aks-sync.io/<container>`),
 * and the names of its containers, so that a per-container key naming no container can be told.
 */
export interface PodSettingAnnotations {
  annotations: Readonly<Record<string, string>>;
  containers: readonly string[];
}

/** A namespace as the scan keeps it: only the labels and annotations settings are read from. */
export interface NamespaceInfo {
  name: string;
  /** The SLACK_CHANNEL_LABEL label and the `acr-aks-sync.io/...` labels. */
  labels: Record<string, string>;
  /** The `acr-aks-sync.io/...` annotations. */
  annotations?: Record<string, string>;
}

/** A pod the scan cannot read: where it is, as far as that is known, and what is wrong with it. */
export interface MalformedPod {
  /** Empty when the pod does not say. */
  namespace: string;
  /** `(unnamed)` when the pod does not say. */
  name: string;
  reason: string;
}
