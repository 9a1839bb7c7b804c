/**
 * The one way to build scan sources from configuration, for the CLI, the functions and
 * fan-out: every cluster of CLUSTERS (subscriptions listed through ARM), one cluster CLUSTERS
 * covers (a fan-out message's), or the cluster of a kubeconfig (the CLI's `--kubeconfig`).
 */
import type { ResourceClusterTarget } from '../config/clusterTargets.js';
import type { Config } from '../config/config.js';
import { aksClusterSource } from './aksClusterSource.js';
import { createArmClient } from './armClient.js';
import { resolveClusterTargets } from './clusterDiscovery.js';
import type { ClusterSource, ClusterSourceDeps } from './clusterSource.js';
import { kubeconfigClusterSource, type KubeconfigSourceOptions } from './kubeconfigSource.js';

/** Which clusters, when not all of CLUSTERS. */
export type ClusterSelection = { cluster: ResourceClusterTarget } | { kubeconfig: KubeconfigSourceOptions };

/** A source that only fails, with the reason (a subscription whose clusters could not be listed). */
function failingClusterSource({ name, reason }: { name: string; reason: string }): ClusterSource {
  return { name, connect: () => Promise.reject(new Error(reason)) };
}

/**
 * The sources of `selection`, by default every cluster of CLUSTERS, in CLUSTERS order; a
 * subscription that cannot be listed within the discovery's budget (CLUSTER_TIMEOUT) is a
 * failing source named `subscription:<id>`. Rejects when a kubeconfig cannot be used.
 */
export async function clusterSources(
  config: Pick<Config, 'clusters' | 'armEndpoint' | 'clusterTimeoutMs'>,
  deps: ClusterSourceDeps,
  selection?: ClusterSelection,
): Promise<ClusterSource[]> {
  const { credential } = deps;
  const armReads = deps.armReads ? { armReads: deps.armReads } : {};
  if (selection && 'kubeconfig' in selection) return [kubeconfigClusterSource(selection.kubeconfig)];
  if (selection) {
    const { cluster: target } = selection;
    return [aksClusterSource({ target, client: createArmClient(config, credential, target.subscriptionId), credential, ...armReads })];
  }
  const resolved = await resolveClusterTargets(config, deps);
  return [
    ...resolved.targets.map((target) => aksClusterSource({ target, client: resolved.armClient(target.subscriptionId), credential, ...armReads })),
    ...resolved.failedSubscriptions.map(({ subscriptionId, reason }) => failingClusterSource({ name: `subscription:${subscriptionId}`, reason })),
  ];
}
