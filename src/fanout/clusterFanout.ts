/**
 * Which clusters the timer queues (SCAN_FANOUT=queue), and which cluster a queue message may
 * make the `scanCluster` function scan.
 *
 * The timer queues every cluster CLUSTERS names: resource IDs as they are, and the clusters of
 * `subscription:` entries as ARM lists them (with the tag filter), like the inline scan does.
 * The queue handler scans a message's cluster only when CLUSTERS covers it (its resource ID, or
 * its subscription), so a message cannot point the app's identity anywhere else.
 */
import type { TokenCredential } from '@azure/identity';
import { aksClusterSource } from '../clusters/aksClusterSources.js';
import { createArmClient } from '../clusters/armClient.js';
import { resolveClusterTargets } from '../clusters/clusterDiscovery.js';
import type { ClusterSource } from '../clusters/clusterSource.js';
import { parseClusterTargets, type ResourceClusterTarget } from '../config/clusterTargets.js';
import type { Config } from '../config/config.js';
import type { Logger } from '../log/logger.js';
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
export async function clustersToQueue(config: Pick<Config, 'clusters' | 'armEndpoint' | 'clusterTimeoutMs'>, credential: TokenCredential, logger: Logger): Promise<QueuedCluster[]> {
  const { targets } = await resolveClusterTargets(config, credential, logger);
  return targets.map((t) => ({ resourceId: t.resourceId, name: t.displayName }));
}

/** A well-formed AKS resource ID as a target, in canonical form; undefined otherwise. */
function resourceTarget(resourceId: string): ResourceClusterTarget | undefined {
  try {
    const [target] = parseClusterTargets(resourceId);
    return target?.kind === 'resource' ? target : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The cluster a message asks for, as CLUSTERS knows it (its alias, when it has one), or the
 * reason it will not be scanned.
 */
export function targetOfMessage(config: Pick<Config, 'clusters'>, message: ClusterScanMessage): ResourceClusterTarget | { refused: string } {
  const requested = resourceTarget(message.clusterResourceId);
  if (!requested) return { refused: `"${message.clusterResourceId.slice(0, 300)}" is not an AKS cluster resource ID` };
  const id = requested.resourceId.toLowerCase();
  for (const target of config.clusters) {
    if (target.kind === 'resource' && target.resourceId.toLowerCase() === id) return target;
  }
  const bySubscription = config.clusters.some((t) => t.kind === 'subscription' && t.subscriptionId.toLowerCase() === requested.subscriptionId.toLowerCase());
  if (bySubscription) return { ...requested, displayName: message.name };
  return { refused: `${requested.resourceId} is not among the clusters CLUSTERS names` };
}

/** The cluster as a scan source (ARM, then the Kubernetes API), exactly as the inline scan builds it. */
export function clusterSourceFor(config: Pick<Config, 'armEndpoint'>, target: ResourceClusterTarget, credential: TokenCredential): ClusterSource {
  return aksClusterSource(target, createArmClient(config, credential, target.subscriptionId), credential);
}
