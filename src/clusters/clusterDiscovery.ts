/**
 * CLUSTERS as a list of clusters: resource IDs as they are, and the clusters ARM lists for each
 * `subscription:` entry (with its tag filter), so a new cluster is covered without a redeploy.
 *
 * Discovery has its own time budget (CLUSTER_TIMEOUT, for all subscriptions together, listed
 * at once) and bounded paging: a list that stalls, repeats a `nextLink` or runs past
 * MAX_LIST_PAGES fails that subscription with the reason, and every other cluster is still
 * scanned. Its requests end with it.
 */
import type { ContainerServiceClient } from '@azure/arm-containerservice';
import type { ResourceClusterTarget, SubscriptionClusterTarget } from '../config/clusterTargets.js';
import type { Config } from '../config/config.js';
import { timerMs } from '../util/abortableSleep.js';
import { formatDuration } from '../util/duration.js';
import { clip } from '../util/text.js';
import { parseAksResourceId } from './aksResourceId.js';
import { createArmClient, describeArmError } from './armClient.js';
import type { ClusterSourceDeps } from './clusterSource.js';

/** Pages of one subscription's cluster list; ARM pages hold up to 1000 clusters. */
export const MAX_LIST_PAGES = 100;

export interface ResolvedClusters {
  /** Every cluster to scan, in CLUSTERS order, without duplicates. */
  targets: ResourceClusterTarget[];
  /** `subscription:` entries whose clusters could not be listed, with the reason. */
  failedSubscriptions: Array<{ subscriptionId: string; reason: string }>;
  /** One ARM client per subscription, for reaching the clusters. */
  armClient(subscriptionId: string): ContainerServiceClient;
}

export async function resolveClusterTargets(
  config: Pick<Config, 'clusters' | 'armEndpoint' | 'clusterTimeoutMs'>,
  { credential, logger, signal }: ClusterSourceDeps,
): Promise<ResolvedClusters> {
  const clients = new Map<string, ContainerServiceClient>();
  const armClient = (subscriptionId: string): ContainerServiceClient => {
    let c = clients.get(subscriptionId);
    if (!c) clients.set(subscriptionId, (c = createArmClient(config, credential, subscriptionId)));
    return c;
  };
  const budget = new AbortController();
  const timer = setTimeout(
    () => budget.abort(new Error(`ARM did not list the clusters within the discovery's time budget (CLUSTER_TIMEOUT ${formatDuration(config.clusterTimeoutMs)})`)),
    timerMs(config.clusterTimeoutMs),
  );
  timer.unref();
  const discoverySignal = signal ? AbortSignal.any([budget.signal, signal]) : budget.signal;
  let outcomes: Outcome[];
  try {
    outcomes = await Promise.all(
      config.clusters.map((target) =>
        target.kind === 'resource' ? { clusters: [target] } : listSubscription(target, createArmClient(config, credential, target.subscriptionId, { signal: discoverySignal }), discoverySignal),
      ),
    );
  } finally {
    clearTimeout(timer);
    budget.abort(new Error('cluster discovery is over')); // nothing it started outlives it
  }
  const targets: ResourceClusterTarget[] = [];
  const failedSubscriptions: ResolvedClusters['failedSubscriptions'] = [];
  const seen = new Set<string>();
  for (const outcome of outcomes) {
    if ('failed' in outcome) {
      const reason = `cannot list the clusters of subscription ${outcome.subscriptionId}: ${outcome.failed}`;
      logger.error('cluster discovery failed', { subscription: outcome.subscriptionId, reason });
      failedSubscriptions.push({ subscriptionId: outcome.subscriptionId, reason });
      continue;
    }
    for (const target of outcome.clusters) {
      if (seen.has(target.resourceId.toLowerCase())) continue;
      seen.add(target.resourceId.toLowerCase());
      targets.push(target);
    }
  }
  return { targets, failedSubscriptions, armClient };
}

/** The clusters of one CLUSTERS entry, or why its subscription's clusters could not be listed. */
type Outcome = { clusters: ResourceClusterTarget[] } | { subscriptionId: string; failed: string };

/** The subscription's clusters (those with the tag, when it has a filter), or why they could not be listed. */
async function listSubscription(target: SubscriptionClusterTarget, client: ContainerServiceClient, signal: AbortSignal): Promise<Outcome> {
  const found: ResourceClusterTarget[] = [];
  const failed = (reason: string): Outcome => ({ subscriptionId: target.subscriptionId, failed: reason });
  const nextLinks = new Set<string>();
  let pages = 0;
  try {
    for await (const page of client.managedClusters.list({ abortSignal: signal }).byPage()) {
      pages += 1;
      for (const mc of page) {
        if (target.tag && mc.tags?.[target.tag.key] !== target.tag.value) continue;
        const listed = parseAksResourceId(mc.id ?? '');
        // ARM's own spelling of the ID is kept: it names the cluster in errors and queue messages.
        if (listed) found.push({ ...listed, resourceId: mc.id ?? '' });
      }
      const next = (page as { continuationToken?: string }).continuationToken;
      if (!next) break;
      if (nextLinks.has(next)) return failed(`ARM's cluster list repeated the nextLink of an earlier page (page ${pages}: ${clip(next)}); it would never end`);
      if (pages >= MAX_LIST_PAGES) return failed(`ARM's cluster list went on past ${MAX_LIST_PAGES} pages`);
      nextLinks.add(next);
    }
    return { clusters: found };
  } catch (error) {
    if (signal.aborted) return failed(signal.reason instanceof Error ? signal.reason.message : String(signal.reason));
    return failed(describeArmError(error, `/subscriptions/${target.subscriptionId}`));
  }
}
