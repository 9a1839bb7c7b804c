/**
 * AKS clusters reached through Azure Resource Manager with the app's identity: the cluster and
 * its user kubeconfig (server URL and CA) from `@azure/arm-containerservice`, then the
 * Kubernetes API with the identity's Entra token (Entra-enabled clusters) or the kubeconfig's
 * own credential, held in memory only (local-account clusters). What is taken from ARM's
 * kubeconfig, and where credentials may go, is decided in kubeconfigFromArm.ts.
 */
import type { ContainerServiceClient, ManagedCluster } from '@azure/arm-containerservice';
import type { TokenCredential } from '@azure/identity';
import type { Config } from '../config/config.js';
import type { Logger } from '../log/logger.js';
import { describeArmError } from './armClient.js';
import { resolveClusterTargets, type ResourceTarget } from './clusterDiscovery.js';
import type { ClusterSource } from './clusterSource.js';
import { AKS_SERVER_SCOPE, clusterKubeConfig } from './kubeconfigFromArm.js';

/**
 * The configured clusters as scan sources; a subscription that cannot be listed within the
 * discovery's budget (CLUSTER_TIMEOUT) is a failing source named `subscription:<id>`.
 */
export async function aksClusterSources(
  config: Pick<Config, 'clusters' | 'armEndpoint' | 'clusterTimeoutMs'>,
  credential: TokenCredential,
  logger: Logger,
  signal?: AbortSignal,
): Promise<ClusterSource[]> {
  const resolved = await resolveClusterTargets(config, credential, logger, signal);
  return [
    ...resolved.targets.map((target) => aksClusterSource(target, resolved.armClient(target.subscriptionId), credential)),
    ...resolved.failedSubscriptions.map(({ subscriptionId, reason }) => ({
      name: `subscription:${subscriptionId}`,
      connect: () => Promise.reject(new Error(reason)),
    })),
  ];
}

export function aksClusterSource(target: ResourceTarget, client: ContainerServiceClient, credential: TokenCredential): ClusterSource {
  let privateFqdn: string | undefined;
  return {
    name: target.displayName,
    async connect(logger, signal) {
      let cluster: ManagedCluster;
      let kubeconfigYaml: string;
      // The cluster and its user kubeconfig do not depend on each other: both requests go out
      // together, one ARM round trip per cluster instead of two. A failure to read the cluster
      // is still the one reported when both fail. Both end with the cluster's budget.
      const options = { abortSignal: signal };
      const gotCluster = client.managedClusters.get(target.resourceGroup, target.name, options);
      const gotCredentials = client.managedClusters.listClusterUserCredentials(target.resourceGroup, target.name, options);
      gotCredentials.catch(() => undefined); // awaited below, unless reading the cluster failed
      // The AKS token is fetched meanwhile (the credential shares it between clusters), so that
      // the first Kubernetes requests of an Entra cluster do not wait for it. Only a warm-up: a
      // failure shows at the first Kubernetes request. Local-account clusters do not use it.
      const aksToken = credential.getToken(AKS_SERVER_SCOPE, { abortSignal: signal }).catch(() => null);
      try {
        cluster = await gotCluster;
      } catch (error) {
        throw new Error(`cannot read the cluster from ARM: ${describeArmError(error, target.resourceId)}`);
      }
      try {
        const credentials = await gotCredentials;
        const value = credentials.kubeconfigs?.[0]?.value;
        if (!value) throw new Error('ARM returned no kubeconfig');
        kubeconfigYaml = Buffer.from(value).toString('utf8');
      } catch (error) {
        throw new Error(`cannot get the cluster's user kubeconfig from ARM: ${describeArmError(error, target.resourceId)}`);
      }
      if (!cluster.fqdn && cluster.privateFqdn) privateFqdn = cluster.privateFqdn;
      const entra = Boolean(cluster.aadProfile);
      const kc = clusterKubeConfig(kubeconfigYaml, { fqdn: cluster.fqdn, privateFqdn: cluster.privateFqdn }, entra ? { credential, signal } : undefined);
      if (entra) await aksToken;
      logger.debug('cluster credentials read', { cluster: target.displayName, entra, private: Boolean(privateFqdn) });
      return kc;
    },
    explainFailure(reason) {
      if (!privateFqdn || !/ENOTFOUND|EAI_AGAIN|ECONNREFUSED|ETIMEDOUT|EHOSTUNREACH|fetch failed|time budget/i.test(reason)) return reason;
      return `${reason}; this is a private cluster whose API server ${privateFqdn} is reachable only from its virtual network: give the function app VNet integration with a route and DNS to it`;
    },
  };
}
