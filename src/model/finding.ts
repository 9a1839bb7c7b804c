/** What a scan reports: one finding per workload container, grouped by cluster, with counts. */
import type { WorkloadRef } from './workload.js';

/**
 * `no-release`: the registry was asked but named no release (repository not found, or no tag
 * matching TAG_PATTERN among the newest ACR_MAX_RESULTS). `untracked`: not tracked by
 * configuration (registry not in REGISTRIES, tag not matching TAG_PATTERN, invalid reference).
 */
export const FINDING_STATUSES = ['in-sync', 'pending', 'drift', 'stale-digest', 'no-release', 'untracked', 'error'] as const;
export type FindingStatus = (typeof FINDING_STATUSES)[number];

/** A setting as it was resolved for one finding, and where the value came from (e.g. "namespace annotation acr-aks-sync.io/tag-pattern on namespace staging", "TAG_PATTERN", "default"). */
export interface ResolvedSetting<T> {
  value: T;
  from: string;
}

/** The per-workload settings a finding was decided with (issue 13: workload, namespace, cluster, global). */
export interface FindingSettings {
  /** Slack channel, or null when no channel is configured anywhere. */
  channel: ResolvedSetting<string | null>;
  tagPattern: ResolvedSetting<string>;
  /** The duration as written (`3m`), with the milliseconds it means. */
  gracePeriod: ResolvedSetting<string> & { ms: number };
  /** Whether the workload is watched at all (false: opted out, or not opted in on an opt-in cluster). */
  track: ResolvedSetting<boolean>;
}

export interface Finding {
  namespace: string;
  workload: WorkloadRef;
  container: string;
  /** Image string from the pod spec. */
  image: string;
  registry: string | null;
  repository: string | null;
  deployedTag: string | null;
  deployedDigest: string | null;
  latestTag: string | null;
  latestDigest: string | null;
  /** ISO 8601 last-update time of the newest tag. */
  latestUpdatedAt: string | null;
  status: FindingStatus;
  reason?: string;
  /** Slack channel this workload's alerts go to. */
  channel: string | null;
  pods: number;
  /** Where each setting of this finding came from; present on every finding whose settings were looked up. */
  settings?: FindingSettings;
}

/** The settings of a whole cluster, and where they came from (CLUSTER_SETTINGS, an AKS tag, a variable, the default). */
export interface ClusterSettingsReport {
  /** The name shown in Slack messages; `ClusterReport.name` stays the cluster's identity (alert keys, `cluster=`). */
  name: ResolvedSetting<string>;
  excludedNamespaces: ResolvedSetting<readonly string[]>;
}

export interface ClusterReport {
  /** The alias or cluster name (CLUSTERS), or the kubeconfig context: what CLUSTER_SETTINGS and alert state are keyed by. */
  name: string;
  ok: boolean;
  error?: string;
  findings: Finding[];
  pods: number;
  durationMs: number;
  /** Present when the cluster's settings were resolved (it was reached). */
  settings?: ClusterSettingsReport;
}

export type StatusCounts = Record<FindingStatus, number>;

export interface ScanReport {
  startedAt: string;
  finishedAt: string;
  clusters: ClusterReport[];
  summary: StatusCounts & { clusters: number; clustersFailed: number; pods: number };
}

export function countStatuses(findings: Iterable<Finding>): StatusCounts {
  const counts = Object.fromEntries(FINDING_STATUSES.map((s) => [s, 0])) as StatusCounts;
  for (const f of findings) counts[f.status] += 1;
  return counts;
}

/** Stable order for reports: namespace, workload, container. */
export function compareFindings(a: Finding, b: Finding): number {
  return (
    a.namespace.localeCompare(b.namespace) ||
    a.workload.kind.localeCompare(b.workload.kind) ||
    a.workload.name.localeCompare(b.workload.name) ||
    a.container.localeCompare(b.container) ||
    a.image.localeCompare(b.image)
  );
}
