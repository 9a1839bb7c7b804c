/**
 * AKS clusters reached through Azure Resource Manager with the app's identity: the cluster and
 * its user kubeconfig (server URL and CA) from `@azure/arm-containerservice`, then the
 * Kubernetes API with the identity's Entra token (Entra-enabled clusters) or the kubeconfig's
 * own credential, held in memory only (local-account clusters). What is taken from ARM's
 * kubeconfig, and where credentials may go, is decided in kubeconfigFromArm.ts. The cluster's
 * Azure tags, which may carry its settings (overrides/clusterLevel.ts), come with the same read.
 */
import type { ContainerServiceClient, ManagedCluster } from '@azure/arm-containerservice';
import type { TokenCredential } from '@azure/identity';
import type { ResourceClusterTarget } from '../config/clusterTargets.js';
import { describeArmError } from './armClient.js';
import type { ArmCluster, ArmReadCache } from './armReadCache.js';
import type { ClusterSource } from './clusterSource.js';
import { AKS_SERVER_SCOPE, clusterKubeConfig } from './kubeconfigFromArm.js';

export interface AksClusterSourceOptions {
  target: ResourceClusterTarget;
  /** The ARM client of the cluster's subscription (createArmClient). */
  client: ContainerServiceClient;
  /** The app's identity: its AKS token goes to Entra clusters. */
  credential: TokenCredential;
  /** Recent ARM reads to use instead of reading again (push checks); every read is kept there. */
  armReads?: ArmReadCache;
}

/**
 * The cluster and its user kubeconfig do not depend on each other: both requests go out
 * together, one ARM round trip per cluster instead of two. A failure to read the cluster is
 * still the one reported when both fail. Both end with the cluster's budget.
 */
async function readArmCluster({ target, client }: AksClusterSourceOptions, signal: AbortSignal): Promise<ArmCluster> {
  const options = { abortSignal: signal };
  const gotCluster = client.managedClusters.get(target.resourceGroup, target.name, options);
  const gotCredentials = client.managedClusters.listClusterUserCredentials(target.resourceGroup, target.name, options);
  gotCredentials.catch(() => undefined); // awaited below, unless reading the cluster failed
  let cluster: ManagedCluster;
  try {
    cluster = await gotCluster;
  } catch (error) {
    throw new Error(`cannot read the cluster from ARM: ${describeArmError(error, target.resourceId)}`);
  }
  try {
    const credentials = await gotCredentials;
    const value = credentials.kubeconfigs?.[0]?.value;
    if (!value) throw new Error('ARM returned no kubeconfig');
    return { cluster, kubeconfigYaml: Buffer.from(value).toString('utf8') };
  } catch (error) {
    throw new Error(`cannot get the cluster's user kubeconfig from ARM: ${describeArmError(error, target.resourceId)}`);
  }
}

/** A recent read from `armReads` when there is one, else a read from ARM (kept there). */
async function armClusterOf(options: AksClusterSourceOptions, signal: AbortSignal): Promise<ArmCluster> {
  const { armReads, target } = options;
  const recent = armReads?.get(target.resourceId);
  if (recent) return recent;
  const read = await readArmCluster(options, signal);
  armReads?.set(target.resourceId, read);
  return read;
}

export function aksClusterSource(options: AksClusterSourceOptions): ClusterSource {
  const { target, credential } = options;
  let privateFqdn: string | undefined;
  return {
    name: target.displayName,
    resourceId: target.resourceId,
    async connect(logger, signal) {
      const armCluster = armClusterOf(options, signal);
      // The AKS token is fetched meanwhile (the credential shares it between clusters), so that
      // the first Kubernetes requests of an Entra cluster do not wait for it. Only a warm-up: a
      // failure shows at the first Kubernetes request. Local-account clusters do not use it.
      const aksToken = credential.getToken(AKS_SERVER_SCOPE, { abortSignal: signal }).catch(() => null);
      const { cluster, kubeconfigYaml } = await armCluster;
      if (!cluster.fqdn && cluster.privateFqdn) privateFqdn = cluster.privateFqdn;
      const entra = Boolean(cluster.aadProfile);
      const kc = clusterKubeConfig(kubeconfigYaml, { fqdn: cluster.fqdn, privateFqdn: cluster.privateFqdn }, entra ? { credential, signal } : undefined);
      if (entra) await aksToken;
      logger.debug('cluster credentials read', { cluster: target.displayName, entra, private: Boolean(privateFqdn) });
      return { kubeConfig: kc, ...(cluster.tags ? { resourceTags: cluster.tags } : {}) };
    },
    explainFailure(reason) {
      if (!privateFqdn || !/ENOTFOUND|EAI_AGAIN|ECONNREFUSED|ETIMEDOUT|EHOSTUNREACH|fetch failed|time budget/i.test(reason)) return reason;
      return `${reason}; this is a private cluster whose API server ${privateFqdn} is reachable only from its virtual network: give the function app VNet integration with a route and DNS to it`;
    },
  };
}
