/**
 * A cluster's status record from its latest scan (pure): the result, the counts, and the items
 * the page lists, most urgent first: the longest-lagging drift and stale-digest workloads, then
 * pending ones by the time they start to count, then the findings that could not be decided.
 * A scan that could not read the cluster keeps the previous scan's items and its last success,
 * so the page shows what was last known and since when.
 *
 * Bounded whatever the cluster holds: at most MAX_STATUS_ITEMS items and MAX_ITEMS_JSON_CHARS of
 * them as JSON (a table row holds 1 MiB; tableStatusStore.ts), each value cut; the rest counted.
 */
import { shortDigest } from '../model/digest.js';
import { countStatuses, type ClusterReport, type Finding } from '../model/finding.js';
import type { ClusterStatus, StatusItem, StatusItemKind } from '../model/clusterStatus.js';
import { clipCodePoints } from '../util/text.js';

export const MAX_STATUS_ITEMS = 200;
/** The items as JSON, at most: 400 KB in the table's UTF-16, well inside a row's 1 MiB. */
export const MAX_ITEMS_JSON_CHARS = 200_000;
/** Kubernetes' longest object name: real names are never cut. */
const MAX_NAME = 253;
const MAX_RUNNING = 300;
const MAX_REASON = 500;

const LISTED: ReadonlySet<string> = new Set<StatusItemKind>(['drift', 'stale-digest', 'pending', 'error']);
const RANK: Readonly<Record<StatusItemKind, number>> = { drift: 0, 'stale-digest': 0, pending: 1, error: 2 };

/** `clipCodePoints`, reading no more of the text than it can keep (a hostile name may be 100,000 characters). */
function cut(text: string, max: number): string {
  // A code point is at most two UTF-16 units: a longer text is cut anyway, and so is this prefix of it.
  return clipCodePoints(text.length > 2 * max + 2 ? text.slice(0, 2 * max + 2) : text, max);
}

export interface ClusterStatusOptions {
  /** When the scan finished (epoch ms). */
  scannedAt: number;
  /** GRACE_PERIOD, for findings that do not carry their own. */
  gracePeriodMs: number;
}

/** What runs, as the page shows it: `repository:tag`, with the short digest when it is not the tag's newest. */
function runningOf(f: Finding): string {
  const digest = f.deployedDigest ? `@${shortDigest(f.deployedDigest)}` : '';
  if (!f.repository) return f.image;
  if (!f.deployedTag) return `${f.repository}${digest}`;
  return f.status === 'stale-digest' ? `${f.repository}:${f.deployedTag}${digest}` : `${f.repository}:${f.deployedTag}`;
}

function itemOf(f: Finding, gracePeriodMs: number): StatusItem {
  const status = f.status as StatusItemKind;
  const pushed = f.latestUpdatedAt ? Date.parse(f.latestUpdatedAt) : Number.NaN;
  const grace = f.settings?.gracePeriod.ms ?? gracePeriodMs;
  return {
    status,
    namespace: cut(f.namespace, MAX_NAME),
    workload: { kind: cut(f.workload.kind, MAX_NAME), name: cut(f.workload.name, MAX_NAME) },
    container: cut(f.container, MAX_NAME),
    channel: f.channel === null ? null : cut(f.channel, MAX_NAME),
    running: cut(runningOf(f), MAX_RUNNING),
    newest: f.latestTag === null ? null : cut(f.latestTag, MAX_NAME),
    newestPushedAt: f.latestUpdatedAt,
    ...(status === 'pending' && Number.isFinite(pushed) ? { countsAt: new Date(pushed + grace).toISOString() } : {}),
    ...(status === 'error' && f.reason ? { reason: cut(f.reason, MAX_REASON) } : {}),
    pods: f.pods,
  };
}

/** Most urgent first: lagging by how long (oldest push first), pending by when it counts, then errors. */
function compareItems(a: StatusItem, b: StatusItem): number {
  const byRank = RANK[a.status] - RANK[b.status];
  if (byRank !== 0) return byRank;
  const when = (i: StatusItem) => i.countsAt ?? i.newestPushedAt ?? '';
  return when(a).localeCompare(when(b)) || a.namespace.localeCompare(b.namespace) || a.workload.name.localeCompare(b.workload.name) || a.container.localeCompare(b.container);
}

/** The items to keep, in order, within both bounds; and how many were left out. */
export function boundedItems(findings: readonly Finding[], gracePeriodMs: number): { items: StatusItem[]; omitted: number } {
  const all = findings.filter((f) => LISTED.has(f.status)).map((f) => itemOf(f, gracePeriodMs)).sort(compareItems);
  const items: StatusItem[] = [];
  let chars = 2;
  for (const item of all) {
    chars += JSON.stringify(item).length + 1;
    if (items.length >= MAX_STATUS_ITEMS || chars > MAX_ITEMS_JSON_CHARS) break;
    items.push(item);
  }
  return { items, omitted: all.length - items.length };
}

/** The record a scan leaves for the cluster, given the one before it (if any). */
export function clusterStatusOf(report: ClusterReport, previous: ClusterStatus | undefined, options: ClusterStatusOptions): ClusterStatus {
  const lastScanAt = new Date(options.scannedAt).toISOString();
  const base = { cluster: report.name, lastScanAt, durationMs: report.durationMs };
  if (!report.ok) {
    return {
      ...base,
      ok: false,
      error: cut(report.error ?? 'the cluster could not be scanned', MAX_REASON),
      ...(previous?.lastSuccessAt ? { lastSuccessAt: previous.lastSuccessAt } : {}),
      pods: previous?.pods ?? 0,
      counts: previous?.counts ?? countStatuses([]),
      items: previous?.items ?? [],
      ...(previous?.itemsAt ? { itemsAt: previous.itemsAt } : {}),
      itemsOmitted: previous?.itemsOmitted ?? 0,
    };
  }
  const { items, omitted } = boundedItems(report.findings, options.gracePeriodMs);
  return { ...base, ok: true, lastSuccessAt: lastScanAt, pods: report.pods, counts: countStatuses(report.findings), items, itemsAt: lastScanAt, itemsOmitted: omitted };
}
