/**
 * What a run leaves after it scanned and delivered, besides the report: each cluster's status for
 * the status page (kept in the status store, its last success carried over a failed scan), the
 * time since each cluster's last successful scan as a metric (from that status), and the alert
 * items the delivery left undone as a metric. A status that cannot be saved is logged at error
 * level and costs nothing else: the scan and its alerts stand.
 */
import type { DeliveryResult } from '../alerts/deliveryResult.js';
import type { Logger } from '../log/logger.js';
import { recordSinceLastSuccess, recordSlackFailures } from '../metrics/scanMetrics.js';
import type { Clock } from '../model/clock.js';
import type { ClusterReport, ScanReport } from '../model/finding.js';
import { clusterStatusOf } from '../status/clusterStatus.js';
import type { StatusStore } from '../status/statusStore.js';

export interface RunOutcomeOptions {
  /** Where the statuses are kept; without one, each is built from this run alone. */
  statusStore?: StatusStore;
  logger: Logger;
  now: Clock;
  gracePeriodMs: number;
}

async function keepStatus(cluster: ClusterReport, finishedAt: number, options: RunOutcomeOptions): Promise<void> {
  const { statusStore: store, logger } = options;
  try {
    const previous = cluster.ok || !store ? undefined : await store.get(cluster.name);
    const status = clusterStatusOf(cluster, previous, { scannedAt: finishedAt, gracePeriodMs: options.gracePeriodMs });
    await store?.save(status);
    recordSinceLastSuccess(cluster.name, status.lastSuccessAt, options.now());
  } catch (error) {
    logger.error('cluster status not saved; the status page shows the one before', { cluster: cluster.name, reason: (error as Error).message });
  }
}

export async function recordRunOutcome(report: ScanReport, notifications: DeliveryResult | null, options: RunOutcomeOptions): Promise<void> {
  for (const failure of notifications?.failures ?? []) recordSlackFailures(failure.stage, failure.items);
  const finishedAt = Date.parse(report.finishedAt);
  await Promise.all(report.clusters.map((cluster) => keepStatus(cluster, finishedAt, options)));
}
