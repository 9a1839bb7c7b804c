/**
 * The latest state of one cluster, as each scan stores it for the status page (the `status` HTTP
 * function, `scan --output html`): when it was last scanned and with what result, its counts, and
 * the items someone may need to act on. Bounded in size whatever the cluster holds, and without
 * secrets: only what a report already shows.
 */
import type { StatusCounts } from './finding.js';
import type { WorkloadRef } from './workload.js';

/** The findings the page lists: lagging (drift, stale-digest), about to lag (pending), and undecided (error). */
export const STATUS_ITEM_KINDS = ['drift', 'stale-digest', 'pending', 'error'] as const;
export type StatusItemKind = (typeof STATUS_ITEM_KINDS)[number];

export interface StatusItem {
  status: StatusItemKind;
  namespace: string;
  workload: WorkloadRef;
  container: string;
  /** The team channel its alerts go to. */
  channel: string | null;
  /** What runs: `repository:tag`, `repository@sha256:…` (short), or the image as written. */
  running: string;
  /** The newest release's tag, when the registry named one. */
  newest: string | null;
  /** ISO time the newest release was pushed: drift and stale-digest lag since then. */
  newestPushedAt: string | null;
  /** pending: ISO time the grace period ends and the workload counts as drift. */
  countsAt?: string;
  /** error: why it could not be decided. */
  reason?: string;
  pods: number;
}

export interface ClusterStatus {
  cluster: string;
  /** ISO time the latest scan of the cluster finished. */
  lastScanAt: string;
  /** Whether that scan could read the cluster. */
  ok: boolean;
  /** Why it could not (ok false). */
  error?: string;
  /** ISO time of the latest scan that could read the cluster; absent when none ever could. */
  lastSuccessAt?: string;
  durationMs: number;
  pods: number;
  /** Findings per status, of the scan the items are from. */
  counts: StatusCounts;
  /** The items of the latest successful scan, most urgent first (a failed scan keeps the previous ones). */
  items: StatusItem[];
  /** ISO time the items were found (the latest successful scan); absent with no successful scan. */
  itemsAt?: string;
  /** Items left out to keep the record bounded. */
  itemsOmitted: number;
}
