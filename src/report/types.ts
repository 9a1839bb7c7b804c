import type { WorkloadRef } from '../inventory/workloads.js';

export const FINDING_STATUSES = ['in-sync', 'pending', 'drift', 'stale-digest', 'untracked', 'error'] as const;
export type FindingStatus = (typeof FINDING_STATUSES)[number];

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
}

export interface ClusterReport {
  name: string;
  ok: boolean;
  error?: string;
  findings: Finding[];
  pods: number;
  durationMs: number;
}

export type StatusCounts = Record<FindingStatus, number>;

export interface ScanReport {
  startedAt: string;
  finishedAt: string;
  clusters: ClusterReport[];
  summary: StatusCounts & { clusters: number; clustersFailed: number; pods: number };
}
