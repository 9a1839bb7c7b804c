/**
 * The composition root shared by the CLI and the functions: builds the registry lookup from
 * configuration, scans the given clusters and, unless it is a dry run, alerts Slack.
 */
import { setMaxListeners } from 'node:events';
import type { TokenCredential } from '@azure/identity';
import { deliverAlerts } from '../alerts/deliver.js';
import { emptyDeliveryResult, type DeliveryResult } from '../alerts/deliveryResult.js';
import { createStateStore } from '../alerts/state/createStateStore.js';
import type { StateStore } from '../alerts/state/stateStore.js';
import type { ClusterSource } from '../clusters/clusterSource.js';
import type { Config } from '../config/config.js';
import { createAzureCredential } from '../identity/createAzureCredential.js';
import type { Logger } from '../log/logger.js';
import { scanMetricsObserver } from '../metrics/scanMetrics.js';
import { systemClock, type Clock } from '../model/clock.js';
import type { ScanReport } from '../model/finding.js';
import { combineObservers, type ScanObserver } from '../model/scanObserver.js';
import { createSlackSender } from '../notify/createSlackSender.js';
import type { Sleep } from '../notify/retry.js';
import { globalSettings } from '../overrides/globalSettings.js';
import { RegistryTagLookup } from '../registry/acrTagLookup.js';
import type { TagLookup } from '../registry/tagLookup.js';
import { scanClusters, type RepositoryRef } from '../scan/scanClusters.js';
import type { StatusStore } from '../status/statusStore.js';
import { repositoryScope } from './repositoryScope.js';
import { recordRunOutcome } from './runOutcome.js';

export interface ScanRunOptions {
  logger: Logger;
  dryRun?: boolean;
  credential?: TokenCredential;
  /** A lookup to share between runs that belong together (fan-out); a fresh one otherwise. */
  lookup?: TagLookup;
  /** The clock of the run (default the system's). */
  now?: Clock;
  /**
   * Where alerts are remembered between scans (built by `createStateStore`: the functions' table;
   * the CLI's file with --state). Without one nothing is remembered: every lagging item is
   * reported as new, and nothing is ever resolved.
   */
  stateStore?: StateStore;
  /** Waits between Slack retries (tests). */
  sleep?: Sleep;
  /** Where each cluster's latest status is kept for the status page (the functions' table; memory for the CLI). */
  statusStore?: StatusStore;
  /** Told of the scan's progress, besides the metrics (the CLI's progress line). */
  observer?: ScanObserver;
  /** Scan and alert only the workloads running this repository (a check after a push to it). */
  repository?: RepositoryRef;
}

export interface ScanRunResult {
  report: ScanReport;
  /** Null when nothing was sent: a dry run, or no Slack configured. */
  notifications: DeliveryResult | null;
}

export function createTagLookup(
  config: Config,
  credential: TokenCredential,
  logger: Logger,
  signal?: AbortSignal,
  observer: ScanObserver = scanMetricsObserver(systemClock),
): RegistryTagLookup {
  return new RegistryTagLookup({
    ...(signal ? { signal } : {}),
    observer,
    credential,
    registries: config.registries,
    tagPattern: config.tagPattern,
    maxResults: config.acrMaxResults,
    concurrency: config.acrConcurrency,
    logger,
  });
}

/**
 * Scans and delivers. Everything the run starts ends with it: its signal is aborted when the
 * run is over (after delivery, or on failure), which cancels what is still running (registry
 * lookups no cluster waits for any more, ARM reads and listings of a scan cut short, token
 * requests), so the function returns and the CLI exits with nothing left running. A lookup
 * given in `options` is shared with other runs and is not this run's to cancel.
 */
export async function runScan(config: Config, sources: readonly ClusterSource[], options: ScanRunOptions): Promise<ScanRunResult> {
  const run = new AbortController();
  // Each cluster and every registry request listens to it while it runs: many, and no leak.
  setMaxListeners(0, run.signal);
  try {
    return await scanAndDeliver(config, sources, options, run.signal);
  } finally {
    run.abort(new Error('the scan run is over'));
  }
}

async function scanAndDeliver(config: Config, sources: readonly ClusterSource[], options: ScanRunOptions, signal: AbortSignal): Promise<ScanRunResult> {
  const { logger } = options;
  const credential = options.credential ?? createAzureCredential(config, signal);
  const now = options.now ?? systemClock;
  const observer = combineObservers(scanMetricsObserver(now, { wholeClusters: !options.repository }), options.observer);
  const lookup = options.lookup ?? createTagLookup(config, credential, logger, signal, observer);
  const report = await scanClusters(sources, {
    signal,
    registries: new Set(config.registries),
    settings: globalSettings(config),
    lookup,
    clusterTimeoutMs: config.clusterTimeoutMs,
    logger,
    observer,
    ...(options.now ? { now: options.now } : {}),
    ...(options.repository ? { repository: options.repository } : {}),
  });
  let notifications: DeliveryResult | null = null;
  const sender = !options.dryRun && config.slack ? createSlackSender({ ...config.slack, logger }) : null;
  if (sender && config.slack) {
    // deliverAlerts reports in its result what it could not do (state unreadable, items not
    // delivered, state writes that failed); an exception would be a bug, reported the same way.
    try {
      notifications = await deliverAlerts(report, {
        store: options.stateStore ?? createStateStore({ kind: 'memory' }),
        sender,
        defaultChannel: config.slack.channel,
        repeatIntervalMs: config.notifyRepeatIntervalMs,
        notifyResolved: config.notifyResolved,
        logger,
        ...(options.now ? { now: options.now } : {}),
        ...(options.sleep ? { sleep: options.sleep } : {}),
        ...(options.repository ? { scope: repositoryScope(options.repository, report) } : {}),
      });
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      logger.error('alert delivery stopped by an unexpected error; what was not posted is retried by the next scan', { reason });
      notifications = { ...emptyDeliveryResult(), error: `alert delivery stopped by an unexpected error: ${reason}` };
    }
  }
  await recordRunOutcome(report, notifications, { ...(options.statusStore ? { statusStore: options.statusStore } : {}), logger, now, gracePeriodMs: config.gracePeriodMs });
  return { report, notifications };
}
