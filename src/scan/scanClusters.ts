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
import type { KubeConfig } from '@kubernetes/client-node';
import type { ClusterSource } from '../clusters/clusterSource.js';
import { classifyReference, decideDrift, type TrackingRules, type TrackingVerdict } from '../drift/decide.js';
import { parseImageReference } from '../images/imageReference.js';
import { readClusterInventory, type ClusterInventory } from '../inventory/kubernetesInventory.js';
import { KubernetesRequestError, type RequestLimits } from '../inventory/kubernetesRequest.js';
import type { Logger } from '../log/logger.js';
import { systemClock, type Clock } from '../model/clock.js';
import { compareFindings, countStatuses, type ClusterReport, type Finding, type ScanReport } from '../model/finding.js';
import type { ParsedImageReference } from '../model/image.js';
import type { RegistryLookupResult } from '../model/registry.js';
import type { WorkloadContainer } from '../model/workload.js';
import type { TagLookup } from '../registry/tagLookup.js';
import { timerMs } from '../util/abortableSleep.js';
import { formatDuration } from '../util/duration.js';
import { clip } from '../util/text.js';
import { untilAborted } from '../util/untilAborted.js';
import { buildFinding } from './findings.js';
import { malformedPodFindings } from './malformedPodFindings.js';

interface ClassifiedImage {
  reference: ParsedImageReference;
  verdict: TrackingVerdict;
}

export interface ScanOptions {
  rules: TrackingRules;
  lookup: TagLookup;
  gracePeriodMs: number;
  excludedNamespaces: ReadonlySet<string>;
  channelLabel: string;
  defaultChannel: string | null;
  clusterTimeoutMs: number;
  logger: Logger;
  /** The clock of the run: report times, push ages, the cluster budget's end (default the system's). */
  now?: Clock;
  kubernetesPageSize?: number;
  /** Limits of each Kubernetes request; the defaults otherwise (kubernetesRequest.ts). */
  kubernetesRequestLimits?: RequestLimits;
  /** Aborted when the run is over: whatever the scan started and still runs is cancelled. */
  signal?: AbortSignal;
  /** Decide only the workloads running this repository (a check after a push to it); all when absent. */
  repository?: RepositoryRef;
}

/** A repository of a registry, as image references name them. */
export interface RepositoryRef {
  registry: string;
  repository: string;
}

/** Whether the image is of the repository (always true without one). */
function inScope(reference: ParsedImageReference, only: RepositoryRef | undefined): boolean {
  return !only || (reference.valid && reference.registry === only.registry && reference.repository === only.repository);
}

export async function scanClusters(sources: readonly ClusterSource[], options: ScanOptions): Promise<ScanReport> {
  const now = options.now ?? systemClock;
  const startedAt = now();
  options.lookup.prepare?.();
  const pending: Array<Promise<ClusterReport>> = [];
  // Listing is sequential (one cluster at a time); evaluation overlaps with the next listing,
  // and so does the next cluster's connection (its ARM reads hold nothing in memory).
  let next = sources[0] ? connectCluster(sources[0], options) : undefined;
  for (let i = 0; next; i += 1) {
    const current = next;
    const following = sources[i + 1];
    next = following ? connectCluster(following, options) : undefined;
    pending.push((await startCluster(current, options, now)).evaluation);
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
  kubeConfig: Promise<KubeConfig>;
}

/** Starts resolving how to reach the cluster (ARM reads for AKS), ahead of its turn. */
function connectCluster(source: ClusterSource, options: ScanOptions): ClusterConnection {
  const budget = new AbortController();
  const signal = options.signal ? AbortSignal.any([budget.signal, options.signal]) : budget.signal;
  // Every request and token wait of the cluster listens to it while it runs: many, and no leak.
  setMaxListeners(0, signal);
  const kubeConfig = Promise.resolve().then(() => source.connect(options.logger, signal));
  kubeConfig.catch(() => undefined); // awaited at the cluster's turn
  return { source, budget, signal, kubeConfig };
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

/** Each distinct image is parsed and classified once per cluster, however many workloads run it. */
function imageClassifier(rules: TrackingRules): (image: string) => ClassifiedImage {
  const classified = new Map<string, ClassifiedImage>();
  return (image) => {
    let entry = classified.get(image);
    if (!entry) {
      const reference = parseImageReference(image);
      entry = { reference, verdict: classifyReference(reference, rules) };
      classified.set(image, entry);
    }
    return entry;
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
  const classify = imageClassifier(options.rules);
  // Start each tracked repository's lookup the moment its first image is seen.
  const startLookup = (image: string): void => {
    const { reference, verdict } = classify(image);
    if (verdict.tracked && inScope(reference, options.repository)) void options.lookup.newestMatchingTag(verdict.registry, verdict.repository);
  };

  let inventory: ClusterInventory;
  try {
    const kc = await untilAborted(connection.kubeConfig, signal);
    inventory = await untilAborted(
      readClusterInventory(kc, {
        excludedNamespaces: options.excludedNamespaces,
        logger,
        onNewImage: startLookup,
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
  const evaluation = evaluate(inventory, classify, options, now, signal)
    .then((findings): ClusterReport => ({ name: source.name, ok: true, findings, pods: inventory.pods, durationMs: now() - started }), failed)
    .finally(finish);
  // Wrapped in an object: awaiting a bare promise of a promise would wait for both.
  return { evaluation };
}

/**
 * The cluster's findings. Each waits for its registry lookup only while `signal` allows (the
 * cluster's budget); one that cannot be decided is an `error` finding, never a failed cluster.
 */
async function evaluate(
  inventory: ClusterInventory,
  classify: (image: string) => ClassifiedImage,
  options: ScanOptions,
  now: Clock,
  signal: AbortSignal,
): Promise<Finding[]> {
  const channelOf = (namespace: string): string | null => inventory.namespaces.get(namespace)?.labels[options.channelLabel] || options.defaultChannel;
  // One listener on the budget for all the cluster's findings (thousands on a large cluster).
  const budgetOver = untilAborted(new Promise<never>(() => undefined), signal);
  budgetOver.catch(() => undefined);
  const workloads = options.repository ? inventory.workloads.filter((w) => inScope(classify(w.image).reference, options.repository)) : inventory.workloads;
  const findings = await Promise.all(
    workloads.map(async (container) => {
      const { reference, verdict } = classify(container.image);
      const channel = channelOf(container.namespace);
      if (!verdict.tracked) return buildFinding(container, reference, { status: 'untracked', reason: verdict.reason }, channel);
      try {
        return await Promise.race([decide(container, reference, verdict, channel, options, now), budgetOver]);
      } catch (error) {
        const repository = clip(`${verdict.registry}/${verdict.repository}`);
        const reason = signal.aborted
          ? `registry lookup of ${repository} did not finish within the cluster's time budget (CLUSTER_TIMEOUT ${formatDuration(options.clusterTimeoutMs)})`
          : `cannot decide ${repository}: ${describeClusterError(error)}`;
        return buildFinding(container, reference, { status: 'error', reason }, channel);
      }
    }),
  );
  // A scan of one repository reports only its workloads; malformed pods are a full scan's to report.
  return [...findings, ...(options.repository ? [] : malformedPodFindings(inventory, channelOf))].sort(compareFindings);
}

async function decide(
  container: WorkloadContainer,
  reference: ParsedImageReference,
  verdict: { registry: string; repository: string },
  channel: string | null,
  options: ScanOptions,
  now: Clock,
): Promise<Finding> {
  const found = await options.lookup.newestMatchingTag(verdict.registry, verdict.repository);
  const { runningDigest, lookup } = await effectiveRunningDigest(container, reference, found, verdict, options);
  const decision = decideDrift({
    reference,
    ...(runningDigest ? { runningDigest } : {}),
    lookup,
    now: new Date(now()),
    gracePeriodMs: options.gracePeriodMs,
  });
  return buildFinding(container, reference, decision, channel);
}

/**
 * When the pods run the newest tag's name but report another digest, that digest may be one
 * platform manifest of the tag's multi-arch index; then the pods do run the newest image. When
 * the index cannot be read, that cannot be told: the lookup then counts as failed (`error`).
 */
async function effectiveRunningDigest(
  container: WorkloadContainer,
  reference: ParsedImageReference,
  lookup: RegistryLookupResult,
  verdict: { registry: string; repository: string },
  options: ScanOptions,
): Promise<{ runningDigest: string | undefined; lookup: RegistryLookupResult }> {
  const running = container.runningDigest;
  if (!running || lookup.kind !== 'found' || !reference.valid) return { runningDigest: running, lookup };
  if (reference.tag !== lookup.newest.name || running === lookup.newest.digest) return { runningDigest: running, lookup };
  const platforms = await options.lookup.platformManifests(verdict.registry, verdict.repository, lookup.newest.digest);
  if (platforms.kind === 'error') {
    return { runningDigest: running, lookup: { kind: 'error', reason: `cannot tell whether the pods run newest ${lookup.newest.name}: ${platforms.reason}` } };
  }
  return { runningDigest: platforms.digests.includes(running) ? lookup.newest.digest : running, lookup };
}

/** Kubernetes errors carry the HTTP status and name the request; turn them into a reason a person can act on. */
export function describeClusterError(error: unknown): string {
  const code = (error as { code?: unknown }).code;
  if (code === 401) return 'Kubernetes API answered 401 Unauthorized: the credential was rejected';
  if (code === 403) {
    return 'Kubernetes API answered 403 Forbidden: the identity may not list namespaces and pods (grant Azure Kubernetes Service RBAC Reader on the cluster, or apply infra/k8s-rbac.yaml on clusters with Kubernetes RBAC)';
  }
  if (error instanceof KubernetesRequestError) return error.message;
  if (typeof code === 'number') return `Kubernetes API answered HTTP ${code}`;
  if (error instanceof Error) {
    const cause = (error as { cause?: { code?: string; message?: string } }).cause;
    const detail = cause?.code ?? cause?.message;
    // Our own reasons are bounded where they quote outside text; this is a safety net.
    const message = clip(error.message.split('\n')[0] ?? 'unknown error', 1000);
    return detail ? `${message} (${clip(detail)})` : message;
  }
  return clip(String(error), 1000);
}
