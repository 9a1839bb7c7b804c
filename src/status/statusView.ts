/**
 * What the status page shows, from the stored statuses (pure): the clusters, failed ones first;
 * every lagging workload of every cluster, longest lag first; the pending ones by the time left
 * before they count; and the findings that could not be decided. The `status` function answers
 * it as JSON (`?format=json`) and statusPage.ts renders it as HTML, so both say the same.
 */
import type { ClusterStatus, StatusItem } from '../model/clusterStatus.js';
import type { StatusCounts } from '../model/finding.js';
import type { StoredStatuses } from './statusStore.js';

export interface ClusterView {
  name: string;
  ok: boolean;
  error?: string;
  lastScanAt: string;
  lastSuccessAt?: string;
  /** Seconds since the last successful scan, at the time of the view. */
  sinceLastSuccessSeconds?: number;
  durationMs: number;
  pods: number;
  counts: StatusCounts;
  /** When the items listed for the cluster were found (its latest successful scan). */
  itemsAt?: string;
  itemsOmitted: number;
}

export interface ItemView extends StatusItem {
  cluster: string;
  /** drift, stale-digest: seconds since the newest release was pushed. */
  lagSeconds?: number;
  /** pending: seconds until it counts as drift (0 when that time has passed). */
  secondsLeft?: number;
}

export interface StatusView {
  generatedAt: string;
  clusters: ClusterView[];
  lagging: ItemView[];
  pending: ItemView[];
  errors: ItemView[];
  /** Items the clusters' records left out to stay bounded. */
  itemsOmitted: number;
  /** Stored records this version could not read. */
  unreadableRecords: number;
}

const seconds = (ms: number): number => Math.max(0, Math.round(ms / 1000));

function clusterView(s: ClusterStatus, now: number): ClusterView {
  const success = s.lastSuccessAt ? Date.parse(s.lastSuccessAt) : Number.NaN;
  return {
    name: s.cluster,
    ok: s.ok,
    ...(s.error !== undefined ? { error: s.error } : {}),
    lastScanAt: s.lastScanAt,
    ...(s.lastSuccessAt ? { lastSuccessAt: s.lastSuccessAt, sinceLastSuccessSeconds: Number.isFinite(success) ? seconds(now - success) : 0 } : {}),
    durationMs: s.durationMs,
    pods: s.pods,
    counts: s.counts,
    ...(s.itemsAt ? { itemsAt: s.itemsAt } : {}),
    itemsOmitted: s.itemsOmitted,
  };
}

function itemView(cluster: string, item: StatusItem, now: number): ItemView {
  const pushed = item.newestPushedAt ? Date.parse(item.newestPushedAt) : Number.NaN;
  const counts = item.countsAt ? Date.parse(item.countsAt) : Number.NaN;
  return {
    cluster,
    ...item,
    ...(item.status !== 'pending' && item.status !== 'error' && Number.isFinite(pushed) ? { lagSeconds: seconds(now - pushed) } : {}),
    ...(item.status === 'pending' && Number.isFinite(counts) ? { secondsLeft: seconds(counts - now) } : {}),
  };
}

const byName = (a: { cluster: string; namespace: string; workload: { name: string } }, b: typeof a): number =>
  a.cluster.localeCompare(b.cluster) || a.namespace.localeCompare(b.namespace) || a.workload.name.localeCompare(b.workload.name);

export function statusView(stored: StoredStatuses, now: number): StatusView {
  const statuses = [...stored.statuses].sort((a, b) => Number(a.ok) - Number(b.ok) || a.cluster.localeCompare(b.cluster));
  const items = statuses.flatMap((s) => s.items.map((item) => itemView(s.cluster, item, now)));
  return {
    generatedAt: new Date(now).toISOString(),
    clusters: statuses.map((s) => clusterView(s, now)),
    lagging: items.filter((i) => i.status === 'drift' || i.status === 'stale-digest').sort((a, b) => (b.lagSeconds ?? 0) - (a.lagSeconds ?? 0) || byName(a, b)),
    pending: items.filter((i) => i.status === 'pending').sort((a, b) => (a.secondsLeft ?? 0) - (b.secondsLeft ?? 0) || byName(a, b)),
    errors: items.filter((i) => i.status === 'error').sort(byName),
    itemsOmitted: statuses.reduce((n, s) => n + s.itemsOmitted, 0),
    unreadableRecords: stored.unreadable,
  };
}
