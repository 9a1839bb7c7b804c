/**
 * One scan run: every cluster in turn, each within its own time budget (CLUSTER_TIMEOUT, from
 * its turn). A cluster's registry lookups start while its pods are still being listed and
 * finish while the next cluster is listed; one failing cluster or repository never stops the
 * others.
 *
 * The budget bounds two things differently: the listing must finish within it, or the cluster
 * fails; after that, each finding waits for its registry lookup only until the budget ends, and
 * a lookup still unfinished then is that finding's `error`, while the rest of the cluster is
 * reported. When the budget ends, what it abandons (Kubernetes requests, ARM reads, token
 * requests) is cancelled; lookups are not, since other clusters may share them: they end with
 * the run (`ScanOptions.signal`).
 */
import { setMaxListeners } from 'node:events';
import type { ClusterSource, ConnectedCluster } from '../clusters/clusterSource.js';
import { readClusterInventory, type ClusterInventory } from '../inventory/kubernetesInventory.js';
import type { RequestLimits } from '../inventory/kubernetesRequest.js';
import type { Logger } from '../log/logger.js';
import { systemClock, type Clock } from '../model/clock.js';
import { countStatuses, type ClusterReport, type ScanReport } from '../model/finding.js';
import { resolveClusterLevel } from '../overrides/clusterLevel.js';
import type { GlobalSettings } from '../overrides/globalSettings.js';
import type { ScanObserver } from '../model/scanObserver.js';
import type { TagLookup } from '../registry/tagLookup.js';
import { timerMs } from '../util/abortableSleep.js';
import { formatDuration } from '../util/duration.js';
import { untilAborted } from '../util/untilAborted.js';
import { ClusterEvaluation, type RepositoryRef } from './clusterEvaluation.js';

export type { RepositoryRef } from './clusterEvaluation.js';
import { describeClusterError } from './describeClusterError.js';

export interface ScanOptions {
  /** Lower-cased login servers from REGISTRIES: only these are looked up. */
  registries: ReadonlySet<string>;
  /** The app's own settings and CLUSTER_SETTINGS; clusters, namespaces and workloads may give their own (overrides/). */
  settings: GlobalSettings;
  lookup: TagLookup;
  clusterTimeoutMs: number;
  logger: Logger;
  /** The clock of the run: report times, push ages, the cluster budget's end (default the system's). */
  now?: Clock;
  kubernetesPageSize?: number;
  /** Limits of each Kubernetes request; the defaults otherwise (kubernetesRequest.ts). */
  kubernetesRequestLimits?: RequestLimits;
  /** Aborted when the run is over: whatever the scan started and still runs is cancelled. */
  signal?: AbortSignal;
  /** Told of the clusters' progress and reports (metrics, the CLI's progress line). */
  observer?: ScanObserver;
  /** Decide only the workloads running this repository (a check after a push to it); all when absent. */
  repository?: RepositoryRef;
}

export async function scanClusters(sources: readonly ClusterSource[], options: ScanOptions): Promise<ScanReport> {
  const now = options.now ?? systemClock;
  const startedAt = now();
  options.lookup.prepare?.();
  options.observer?.runStarted?.(sources.length);
  const pending: Array<Promise<ClusterReport>> = [];
  // Listing is sequential (one cluster at a time); evaluation overlaps with the next listing,
  // and so does the next cluster's connection (its ARM reads hold nothing in memory).
  let next = sources[0] ? connectCluster(sources[0], options) : undefined;
  for (let i = 0; next; i += 1) {
    const current = next;
    const following = sources[i + 1];
    next = following ? connectCluster(following, options) : undefined;
    const { evaluation } = await startCluster(current, options, now);
    pending.push(
      evaluation.then((report) => {
        options.observer?.clusterScanned?.(report);
        return report;
      }),
    );
  }
  const clusters = await Promise.all(pending);
  const findings = clusters.flatMap((c) => c.findings);
  return {
    startedAt: new Date(startedAt).toISOString(),
    finishedAt: new Date(now()).toISOString(),
    clusters,
    summary: {
      ...countStatuses(findings),
      clusters: clusters.length,
      clustersFailed: clusters.filter((c) => !c.ok).length,
      pods: clusters.reduce((n, c) => n + c.pods, 0),
    },
  };
}

interface ClusterConnection {
  source: ClusterSource;
  /** Aborted when the cluster's time budget runs out, which starts with its turn. */
  budget: AbortController;
  /** The budget's signal, also aborted when the run is over. */
  signal: AbortSignal;
  connected: Promise<ConnectedCluster>;
}

/** Starts resolving how to reach the cluster (ARM reads for AKS), ahead of its turn. */
function connectCluster(source: ClusterSource, options: ScanOptions): ClusterConnection {
  const budget = new AbortController();
  const signal = options.signal ? AbortSignal.any([budget.signal, options.signal]) : budget.signal;
  // Every request and token wait of the cluster listens to it while it runs: many, and no leak.
  setMaxListeners(0, signal);
  const connected = Promise.resolve().then(() => source.connect(options.logger, signal));
  connected.catch(() => undefined); // awaited at the cluster's turn
  return { source, budget, signal, connected };
}

/** Starts the cluster's time budget; the returned function ends it, and with it anything of the cluster still running. */
function startBudget(budget: AbortController, clusterTimeoutMs: number): () => void {
  const timer = setTimeout(() => budget.abort(new Error(`cluster scan exceeded its time budget (CLUSTER_TIMEOUT) of ${formatDuration(clusterTimeoutMs)}`)), timerMs(clusterTimeoutMs));
  timer.unref();
  return () => {
    clearTimeout(timer);
    budget.abort(new Error('the cluster scan is over'));
  };
}

/** Lists the cluster, then returns (without awaiting) the evaluation of what it runs. */
async function startCluster(connection: ClusterConnection, options: ScanOptions, now: Clock): Promise<{ evaluation: Promise<ClusterReport> }> {
  const { logger } = options;
  const { source, signal } = connection;
  const started = now();
  const finish = startBudget(connection.budget, options.clusterTimeoutMs);
  const failed = (error: unknown): ClusterReport => {
    const basic = signal.aborted ? String((signal.reason as Error).message) : describeClusterError(error);
    const reason = source.explainFailure?.(basic) ?? basic;
    logger.error('cluster scan failed', { cluster: source.name, reason });
    return { name: source.name, ok: false, error: reason, findings: [], pods: 0, durationMs: now() - started };
  };
  let inventory: ClusterInventory;
  let evaluation: ClusterEvaluation;
  try {
    const { kubeConfig, resourceTags } = await untilAborted(connection.connected, signal);
    evaluation = clusterEvaluation(source.name, resourceTags, options);
    inventory = await untilAborted(
      readClusterInventory(kubeConfig, {
        excludedNamespaces: new Set(evaluation.level.report.excludedNamespaces.value),
        channelLabel: options.settings.channelLabel,
        logger,
        // Each workload container's lookup starts the moment it is first seen, for its own tag pattern.
        onNewWorkload: (container, namespaces) => evaluation.start(container, namespaces),
        onPodsPage: (pods) => options.observer?.podsListed?.(source.name, pods),
        signal,
        deadline: started + options.clusterTimeoutMs,
        now,
        ...(options.kubernetesPageSize ? { pageSize: options.kubernetesPageSize } : {}),
        ...(options.kubernetesRequestLimits ? { requestLimits: options.kubernetesRequestLimits } : {}),
      }),
      signal,
    );
  } catch (error) {
    const report = failed(error);
    finish();
    return { evaluation: Promise.resolve(report) };
  }
  logger.debug('cluster inventory read', { cluster: source.name, pods: inventory.pods, workloads: inventory.workloads.length });
  const report = evaluation
    .findings(inventory, now, signal)
    .then((findings): ClusterReport => ({ name: source.name, ok: true, findings, pods: inventory.pods, durationMs: now() - started, settings: evaluation.level.report }), failed)
    .finally(finish);
  // Wrapped in an object: awaiting a bare promise of a promise would wait for both.
  return { evaluation: report };
}

/** The cluster's own settings (CLUSTER_SETTINGS, its AKS tags), with a warning for each tag that cannot be used. */
function clusterEvaluation(cluster: string, resourceTags: ConnectedCluster['resourceTags'], options: ScanOptions): ClusterEvaluation {
  const level = resolveClusterLevel(cluster, options.settings, resourceTags);
  const unusable = [...level.problems, ...[level.channel, level.tagPattern, level.gracePeriod, level.trackMode].flatMap((l) => (l && 'problem' in l ? [l.problem] : []))];
  for (const problem of unusable) options.logger.warn('cluster setting unusable; the findings that use it are errors', { cluster, problem });
  return new ClusterEvaluation(options, level);
}
