/**
 * What the scans record, through the instruments of METRICS: a `ScanObserver` for what happens
 * during a scan, and functions for what the run learns after it (Slack, the stored status, push
 * checks). Each reads only what a report or an answer already holds, and sets only the
 * dimensions METRICS lists.
 */
import type { ClusterReport, Finding } from '../model/finding.js';
import type { ScanObserver } from '../model/scanObserver.js';
import { instruments } from './instruments.js';

const SECOND_MS = 1_000;
/** The channel dimension of findings that go to no channel (no Slack configured); no Slack channel name has parentheses. */
export const NO_CHANNEL = '(none)';
const LAGGING: ReadonlySet<Finding['status']> = new Set(['drift', 'stale-digest']);

/** Findings per (namespace, channel, status), only the combinations that occur. */
function findingCounts(findings: readonly Finding[]): Map<string, { namespace: string; channel: string; status: string; count: number }> {
  const counts = new Map<string, { namespace: string; channel: string; status: string; count: number }>();
  for (const f of findings) {
    const channel = f.channel ?? NO_CHANNEL;
    const key = JSON.stringify([f.namespace, channel, f.status]);
    const entry = counts.get(key) ?? { namespace: f.namespace, channel, status: f.status, count: 0 };
    entry.count += 1;
    counts.set(key, entry);
  }
  return counts;
}

/** Seconds the longest-lagging workload has lagged (since its newest release was pushed), 0 when none lags. */
export function oldestLagSeconds(findings: readonly Finding[], now: number): number {
  let oldest = now;
  for (const f of findings) {
    if (!LAGGING.has(f.status) || !f.latestUpdatedAt) continue;
    const pushed = Date.parse(f.latestUpdatedAt);
    if (Number.isFinite(pushed) && pushed < oldest) oldest = pushed;
  }
  return Math.max(0, (now - oldest) / SECOND_MS);
}

/** A cluster's report as metrics: its findings, its oldest lag, its scan time and its pods. */
export function recordClusterScan(report: ClusterReport, now: number): void {
  const m = instruments();
  const cluster = report.name;
  m.scanDuration.record(report.durationMs / SECOND_MS, { cluster, ok: String(report.ok) });
  // A failed cluster says nothing about its workloads: its findings and lags are left as they were.
  if (!report.ok) return;
  m.pods.record(report.pods, { cluster });
  for (const { namespace, channel, status, count } of findingCounts(report.findings).values()) m.findings.record(count, { cluster, namespace, channel, status });
  m.oldestLagAge.record(oldestLagSeconds(report.findings, now), { cluster });
}

/**
 * The observer that records a scan's metrics as it runs. A scan of one repository's workloads (a
 * push check, `wholeClusters: false`) counts its registry answers but leaves the clusters' gauges
 * and scan times as the last full scan set them: its findings are only a slice of each cluster.
 */
export function scanMetricsObserver(now: () => number, { wholeClusters = true }: { wholeClusters?: boolean } = {}): ScanObserver {
  return {
    ...(wholeClusters ? { clusterScanned: (report: ClusterReport) => recordClusterScan(report, now()) } : {}),
    registryLookupDone: (registry, result) => instruments().registryLookups.add(1, { registry, result }),
    registryThrottled: (registry) => instruments().registryThrottled.add(1, { registry }),
  };
}

/** One Slack post attempt: `ok`, or the kind of failure (SlackFailureKind). */
export function recordSlackPost(via: string, result: string): void {
  instruments().slackPosts.add(1, { via, result });
}

/** Alert items a delivery left undone at `stage`. */
export function recordSlackFailures(stage: string, items: number): void {
  if (items > 0) instruments().slackFailures.add(items, { stage });
}

/** Time since the cluster's latest successful scan, from its stored status. */
export function recordSinceLastSuccess(cluster: string, lastSuccessAt: string | undefined, now: number): void {
  const at = lastSuccessAt === undefined ? Number.NaN : Date.parse(lastSuccessAt);
  if (Number.isFinite(at)) instruments().sinceLastSuccess.record(Math.max(0, now - at) / SECOND_MS, { cluster });
}

/**
 * Push-driven checks: how long after a workload started to count as lagging (push time plus
 * grace period) a check found it, in milliseconds; recorded in seconds.
 */
export function recordDetectionLatency(ms: number, attributes: { cluster: string }): void {
  if (Number.isFinite(ms)) instruments().detectionLatency.record(Math.max(0, ms) / SECOND_MS, { cluster: attributes.cluster });
}
