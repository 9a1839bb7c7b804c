/**
 * Which clusters the timer queues (SCAN_FANOUT=queue), and which cluster a queue message may
 * make the `scanCluster` function scan.
 *
 * The timer queues every cluster CLUSTERS names: resource IDs as they are, and the clusters of
 * `subscription:` entries as ARM lists them (with the tag filter), like the inline scan does.
 * The queue handler scans a message's cluster only when CLUSTERS covers it (its resource ID, or
 * its subscription), so a message cannot point the app's identity anywhere else.
 */
import { parseAksResourceId } from '../clusters/aksResourceId.js';
import { resolveClusterTargets } from '../clusters/clusterDiscovery.js';
import type { ClusterSourceDeps } from '../clusters/clusterSource.js';
import type { ResourceClusterTarget } from '../config/clusterTargets.js';
import type { Config } from '../config/config.js';
import type { ClusterScanMessage } from './scanQueue.js';

export interface QueuedCluster {
  resourceId: string;
  name: string;
}

/**
 * One entry per cluster to scan, in CLUSTERS order, without duplicates. A subscription whose
 * clusters cannot be listed within the discovery's budget (CLUSTER_TIMEOUT) is logged as an
 * error and skipped; the others are still queued.
 */
export async function clustersToQueue(config: Pick<Config, 'clusters' | 'armEndpoint' | 'clusterTimeoutMs'>, deps: ClusterSourceDeps): Promise<QueuedCluster[]> {
  const { targets } = await resolveClusterTargets(config, deps);
  return targets.map((t) => ({ resourceId: t.resourceId, name: t.displayName }));
}

/**
 * The cluster a message asks for, as CLUSTERS knows it (its alias, when it has one), or the
 * reason it will not be scanned.
 */
export function targetOfMessage(config: Pick<Config, 'clusters'>, message: ClusterScanMessage): ResourceClusterTarget | { refused: string } {
  const requested = parseAksResourceId(message.clusterResourceId);
  if (!requested) return { refused: `"${message.clusterResourceId.slice(0, 300)}" is not an AKS cluster resource ID` };
  const id = requested.resourceId.toLowerCase();
  for (const target of config.clusters) {
    if (target.kind === 'resource' && target.resourceId.toLowerCase() === id) return target;
  }
  const bySubscription = config.clusters.some((t) => t.kind === 'subscription' && t.subscriptionId.toLowerCase() === requested.subscriptionId.toLowerCase());
  if (bySubscription) return { ...requested, displayName: message.name };
  return { refused: `${requested.resourceId} is not among the clusters CLUSTERS names` };
}
