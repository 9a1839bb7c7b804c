/**
 * One scan run: every cluster in turn, each within its own time budget. A cluster's registry
 * lookups start while its pods are still being listed and finish while the next cluster is
 * listed; one failing cluster or repository never stops the others.
 */
import { formatDuration } from '../config/duration.js';
import { classifyReference, decideDrift, type TrackingRules, type TrackingVerdict } from '../drift/decide.js';
import { parseImageReference, type ParsedImageReference } from '../inventory/imageReference.js';
import { readClusterInventory } from '../inventory/kubernetesInventory.js';
import type { NamespaceInfo, WorkloadContainer } from '../inventory/workloads.js';
import type { KubeConfig } from '@kubernetes/client-node';
import type { Logger } from '../log/logger.js';
import type { RegistryLookupResult } from '../registry/types.js';
import type { ClusterReport, Finding, ScanReport } from '../report/types.js';
import type { ClusterSource } from './clusterSource.js';
import { KubernetesRequestError } from '../inventory/kubernetesRequest.js';
import { clip } from '../util/clip.js';
import { untilAborted } from '../util/untilAborted.js';
import { buildFinding, compareFindings, countStatuses } from './findings.js';

interface ClassifiedImage {
  reference: ParsedImageReference;
  verdict: TrackingVerdict;
}

/** What the scan needs from the registry side (RegistryTagLookup implements it). */
export interface TagLookup {
  /** Called when the scan starts: anything that needs no repository can be fetched now. */
  prepare?(): void;
  newestMatchingTag(registry: string, repository: string): Promise<RegistryLookupResult>;
  platformManifests(registry: string, repository: string, indexDigest: string): Promise<string[]>;
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
  now?: () => Date;
  kubernetesPageSize?: number;
}

export async function scanClusters(sources: readonly ClusterSource[], options: ScanOptions): Promise<ScanReport> {
  const now = options.now ?? (() => new Date());
  const startedAt = now();
  options.lookup.prepare?.();
  const pending: Array<Promise<ClusterReport>> = [];
  // Listing is sequential (one cluster at a time); evaluation overlaps with the next listing,
  // and so does the next cluster's connection (its ARM reads hold nothing in memory).
  let next = sources[0] ? connectCluster(sources[0], options.logger) : undefined;
  for (let i = 0; next; i += 1) {
    const current = next;
    const following = sources[i + 1];
    next = following ? connectCluster(following, options.logger) : undefined;
    pending.push((await startCluster(current, options, now)).evaluation);
  }
  const clusters = await Promise.all(pending);
  const findings = clusters.flatMap((c) => c.findings);
  return {
    startedAt: startedAt.toISOString(),
    finishedAt: now().toISOString(),
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
  kubeConfig: Promise<KubeConfig>;
}

/** Starts resolving how to reach the cluster (ARM reads for AKS), ahead of its turn. */
function connectCluster(source: ClusterSource, logger: Logger): ClusterConnection {
  const budget = new AbortController();
  const kubeConfig = Promise.resolve().then(() => source.connect(logger, budget.signal));
  kubeConfig.catch(() => undefined); // awaited at the cluster's turn
  return { source, budget, kubeConfig };
}

/** Lists the cluster, then returns (without awaiting) the evaluation of what it runs. */
async function startCluster(connection: ClusterConnection, options: ScanOptions, now: () => Date): Promise<{ evaluation: Promise<ClusterReport> }> {
  const { logger } = options;
  const { source, budget } = connection;
  const started = Date.now();
  const timer = setTimeout(() => budget.abort(new Error(`cluster scan exceeded its time budget (CLUSTER_TIMEOUT) of ${formatDuration(options.clusterTimeoutMs)}`)), options.clusterTimeoutMs);
  timer.unref();
  const failed = (error: unknown): ClusterReport => {
    const basic = budget.signal.aborted ? String((budget.signal.reason as Error).message) : describeClusterError(error);
    const reason = source.explainFailure?.(basic) ?? basic;
    logger.error('cluster scan failed', { cluster: source.name, reason });
    return { name: source.name, ok: false, error: reason, findings: [], pods: 0, durationMs: Date.now() - started };
  };
  // Each distinct image is parsed and classified once per cluster, however many workloads run it.
  const classified = new Map<string, ClassifiedImage>();
  const classify = (image: string): ClassifiedImage => {
    let entry = classified.get(image);
    if (!entry) {
      const reference = parseImageReference(image);
      entry = { reference, verdict: classifyReference(reference, options.rules) };
      classified.set(image, entry);
    }
    return entry;
  };
  // Start each tracked repository's lookup the moment its first image is seen.
  const startLookup = (image: string): void => {
    const { verdict } = classify(image);
    if (verdict.tracked) void options.lookup.newestMatchingTag(verdict.registry, verdict.repository);
  };

  try {
    const kc = await untilAborted(connection.kubeConfig, budget.signal);
    const inventory = await untilAborted(
      readClusterInventory(kc, {
        excludedNamespaces: options.excludedNamespaces,
        logger,
        onNewImage: startLookup,
        signal: budget.signal,
        ...(options.kubernetesPageSize ? { pageSize: options.kubernetesPageSize } : {}),
      }),
      budget.signal,
    );
    logger.debug('cluster inventory read', { cluster: source.name, pods: inventory.pods, workloads: inventory.workloads.length });
    const evaluation = untilAborted(evaluate(inventory.workloads, inventory.namespaces, classify, options, now), budget.signal).then(
      (findings): ClusterReport => ({
        name: source.name,
        ok: true,
        findings,
        pods: inventory.pods,
        durationMs: Date.now() - started,
      }),
      failed,
    );
    // Wrapped in an object: awaiting a bare promise of a promise would wait for both.
    return { evaluation: evaluation.finally(() => clearTimeout(timer)) };
  } catch (error) {
    clearTimeout(timer);
    return { evaluation: Promise.resolve(failed(error)) };
  }
}

async function evaluate(
  workloads: WorkloadContainer[],
  namespaces: Map<string, NamespaceInfo>,
  classify: (image: string) => ClassifiedImage,
  options: ScanOptions,
  now: () => Date,
): Promise<Finding[]> {
  const findings = await Promise.all(
    workloads.map(async (container) => {
      const { reference, verdict } = classify(container.image);
      const channel = namespaces.get(container.namespace)?.labels[options.channelLabel] || options.defaultChannel;
      if (!verdict.tracked) return buildFinding(container, reference, { status: 'untracked', reason: verdict.reason }, channel);
      const lookup = await options.lookup.newestMatchingTag(verdict.registry, verdict.repository);
      const runningDigest = await effectiveRunningDigest(container, reference, lookup, verdict, options);
      const decision = decideDrift({
        reference,
        ...(runningDigest ? { runningDigest } : {}),
        lookup,
        now: now(),
        gracePeriodMs: options.gracePeriodMs,
      });
      return buildFinding(container, reference, decision, channel);
    }),
  );
  return findings.sort(compareFindings);
}

/**
 * When the pods run the newest tag's name but report another digest, that digest may be one
 * platform manifest of the tag's multi-arch index; then the pods do run the newest image.
 */
async function effectiveRunningDigest(
  container: WorkloadContainer,
  reference: ParsedImageReference,
  lookup: RegistryLookupResult,
  verdict: { registry: string; repository: string },
  options: ScanOptions,
): Promise<string | undefined> {
  const running = container.runningDigest;
  if (!running || lookup.kind !== 'found' || !reference.valid) return running;
  if (reference.tag !== lookup.newest.name || running === lookup.newest.digest) return running;
  const platforms = await options.lookup.platformManifests(verdict.registry, verdict.repository, lookup.newest.digest);
  return platforms.includes(running) ? lookup.newest.digest : running;
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
    const message = clip(error.message.split('\n')[0] ?? 'unknown error', 500);
    return detail ? `${message} (${clip(detail)})` : message;
  }
  return clip(String(error), 500);
}
