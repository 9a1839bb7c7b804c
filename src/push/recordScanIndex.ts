/**
 * After a full scan (the timer's, scanNow's, or a fanned-out cluster's), each cluster scanned
 * writes its push index (pushIndex.ts). A cluster that could not be scanned keeps the index of
 * its last scan. A failed write is logged at error level and does not fail the scan: the index
 * of the cluster's earlier scan stays in force, and pushes to a repository it started running
 * since are found by the timer.
 */
import type { ClusterSource } from '../clusters/clusterSource.js';
import type { Config } from '../config/config.js';
import type { Logger } from '../log/logger.js';
import type { ScanReport } from '../model/finding.js';
import { resolveAppStorage } from '../storage/appStorage.js';
import { indexEntriesOf, type IndexDefaults } from './pushIndex.js';
import { TablePushIndex, type PushIndexStore } from './tablePushIndex.js';

export interface ScanIndexOptions {
  store: PushIndexStore;
  /** Lower-cased login servers of REGISTRIES. */
  registries: ReadonlySet<string>;
  defaults: IndexDefaults;
  logger: Logger;
}

/** Writes the index of every cluster of `report` that was scanned; `sources` are the scan's, in the report's order. */
export async function recordScanIndex(report: ScanReport, sources: readonly Pick<ClusterSource, 'name' | 'resourceId'>[], options: ScanIndexOptions): Promise<void> {
  const scanAt = Date.parse(report.startedAt);
  await Promise.all(
    report.clusters.map(async (cluster, i) => {
      const resourceId = sources[i]?.name === cluster.name ? sources[i]?.resourceId : undefined;
      if (!cluster.ok || resourceId === undefined) return;
      const entries = indexEntriesOf(cluster, options.registries, options.defaults);
      try {
        await options.store.write({ resourceId, name: cluster.name, scanAt, entries });
        options.logger.debug('push index written', { cluster: cluster.name, repositories: entries.length });
      } catch (error) {
        options.logger.error('push index not written; pushes are checked against the index of an earlier scan, and the timer covers the rest', {
          cluster: cluster.name,
          reason: error instanceof Error ? error.message : String(error),
        });
      }
    }),
  );
}

/**
 * What the functions call after a full scan that was not a dry run: with PUSH_CHECKS, the index
 * of every cluster scanned goes to the app's table (STATE_TABLE); without it, nothing is written.
 */
export async function indexScanForPushes(config: Config, env: Record<string, string | undefined>, report: ScanReport, sources: readonly Pick<ClusterSource, 'name' | 'resourceId'>[], logger: Logger): Promise<void> {
  if (!config.pushChecks) return;
  let store: PushIndexStore;
  try {
    store = new TablePushIndex(resolveAppStorage(env, 'table', 'the push index (PUSH_CHECKS)'), config.stateTable);
  } catch (error) {
    logger.error('push index not written', { reason: error instanceof Error ? error.message : String(error) });
    return;
  }
  await recordScanIndex(report, sources, { store, registries: new Set(config.registries), defaults: config, logger });
}
