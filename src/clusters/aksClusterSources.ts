/**
 * AKS clusters reached through Azure Resource Manager with the app's identity: the cluster and
 * its user kubeconfig (server URL and CA) from `@azure/arm-containerservice`, then the
 * Kubernetes API with the identity's Entra token (Entra-enabled clusters) or the kubeconfig's
 * own credential, held in memory only (local-account clusters).
 */
import { ContainerServiceClient, type ManagedCluster } from '@azure/arm-containerservice';
import type { TokenCredential } from '@azure/identity';
import { isRestError } from '@azure/core-rest-pipeline';
import { KubeConfig, type User } from '@kubernetes/client-node';
import type { ClusterTarget } from '../config/clusterTargets.js';
import type { Config } from '../config/config.js';
import type { Logger } from '../log/logger.js';
import type { ClusterSource } from '../scan/clusterSource.js';

/** The AKS server application's scope: the same in every cloud. */
export const AKS_SERVER_SCOPE = '6dae42f8-4368-4678-94ff-3960e28e3630/.default';
const ENTRA_USER = 'acr-aks-sync-entra-identity';

/**
 * The SDK asks for the public cloud's ARM scope whatever the endpoint; sovereign clouds (and
 * the emulator) need the scope of their own ARM host.
 */
export function armScope(armEndpoint: string): string {
  return `${new URL(armEndpoint).origin}/.default`;
}

type ResourceTarget = Extract<ClusterTarget, { kind: 'resource' }>;

/** An ARM client for one subscription, at ARM_ENDPOINT with that cloud's scope. */
export function createArmClient(config: Pick<Config, 'armEndpoint'>, credential: TokenCredential, subscriptionId: string): ContainerServiceClient {
  return new ContainerServiceClient(credential, subscriptionId, { endpoint: config.armEndpoint, credentials: { scopes: [armScope(config.armEndpoint)] } });
}

export interface ResolvedClusters {
  /** Every cluster to scan, in CLUSTERS order, without duplicates. */
  targets: ResourceTarget[];
  /** `subscription:` entries whose clusters could not be listed, with the reason. */
  failedSubscriptions: Array<{ subscriptionId: string; reason: string }>;
  /** One ARM client per subscription, for reaching the clusters. */
  armClient(subscriptionId: string): ContainerServiceClient;
}

/**
 * CLUSTERS as a list of clusters: resource IDs as they are, and the clusters ARM lists for each
 * `subscription:` entry (with its tag filter), so a new cluster is covered without a redeploy.
 */
export async function resolveClusterTargets(
  config: Pick<Config, 'clusters' | 'armEndpoint'>,
  credential: TokenCredential,
  logger: Logger,
): Promise<ResolvedClusters> {
  const clients = new Map<string, ContainerServiceClient>();
  const armClient = (subscriptionId: string): ContainerServiceClient => {
    let c = clients.get(subscriptionId);
    if (!c) {
      c = createArmClient(config, credential, subscriptionId);
      clients.set(subscriptionId, c);
    }
    return c;
  };
  const targets: ResourceTarget[] = [];
  const failedSubscriptions: ResolvedClusters['failedSubscriptions'] = [];
  const seen = new Set<string>();
  const add = (target: ResourceTarget): void => {
    if (seen.has(target.resourceId.toLowerCase())) return;
    seen.add(target.resourceId.toLowerCase());
    targets.push(target);
  };
  for (const target of config.clusters) {
    if (target.kind === 'resource') {
      add(target);
      continue;
    }
    try {
      for (const discovered of await discoverClusters(armClient(target.subscriptionId), target)) add(discovered);
    } catch (error) {
      const reason = `cannot list the clusters of subscription ${target.subscriptionId}: ${describeArmError(error, `/subscriptions/${target.subscriptionId}`)}`;
      logger.error('cluster discovery failed', { subscription: target.subscriptionId, reason });
      failedSubscriptions.push({ subscriptionId: target.subscriptionId, reason });
    }
  }
  return { targets, failedSubscriptions, armClient };
}

/** The configured clusters as scan sources; a subscription that cannot be listed is a failing source. */
export async function aksClusterSources(
  config: Pick<Config, 'clusters' | 'armEndpoint'>,
  credential: TokenCredential,
  logger: Logger,
): Promise<ClusterSource[]> {
  const resolved = await resolveClusterTargets(config, credential, logger);
  return [
    ...resolved.targets.map((target) => aksClusterSource(target, resolved.armClient(target.subscriptionId), credential)),
    ...resolved.failedSubscriptions.map(({ subscriptionId, reason }) => ({
      name: `subscription:${subscriptionId}`,
      connect: () => Promise.reject(new Error(reason)),
    })),
  ];
}

async function discoverClusters(client: ContainerServiceClient, target: Extract<ClusterTarget, { kind: 'subscription' }>): Promise<ResourceTarget[]> {
  const found: ResourceTarget[] = [];
  for await (const mc of client.managedClusters.list()) {
    if (target.tag && mc.tags?.[target.tag.key] !== target.tag.value) continue;
    const parsed = parseResourceId(mc.id ?? '');
    if (!parsed) continue;
    found.push({ kind: 'resource', resourceId: mc.id ?? '', displayName: parsed.name, ...parsed });
  }
  return found;
}

function parseResourceId(id: string): { subscriptionId: string; resourceGroup: string; name: string } | undefined {
  const m = /^\/subscriptions\/([^/]+)\/resourceGroups\/([^/]+)\/providers\/Microsoft\.ContainerService\/managedClusters\/([^/]+)$/i.exec(id);
  return m && m[1] && m[2] && m[3] ? { subscriptionId: m[1], resourceGroup: m[2], name: m[3] } : undefined;
}

export function aksClusterSource(target: ResourceTarget, client: ContainerServiceClient, credential: TokenCredential): ClusterSource {
  let privateFqdn: string | undefined;
  return {
    name: target.displayName,
    async connect(logger) {
      let cluster: ManagedCluster;
      let kubeconfigYaml: string;
      // The cluster and its user kubeconfig do not depend on each other: both requests go out
      // together, one ARM round trip per cluster instead of two. A failure to read the cluster
      // is still the one reported when both fail.
      const gotCluster = client.managedClusters.get(target.resourceGroup, target.name);
      const gotCredentials = client.managedClusters.listClusterUserCredentials(target.resourceGroup, target.name);
      gotCredentials.catch(() => undefined); // awaited below, unless reading the cluster failed
      // The AKS token is fetched meanwhile (the credential shares it between clusters), so that
      // the first Kubernetes requests of an Entra cluster do not wait for it. Only a warm-up: a
      // failure shows at the first Kubernetes request. Local-account clusters do not use it.
      const aksToken = credential.getToken(AKS_SERVER_SCOPE).catch(() => null);
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
      if (cluster.aadProfile) await aksToken;
      if (!cluster.fqdn && cluster.privateFqdn) privateFqdn = cluster.privateFqdn;
      const entra = Boolean(cluster.aadProfile);
      logger.debug('cluster credentials read', { cluster: target.displayName, entra, private: Boolean(privateFqdn) });
      return kubernetesClient(kubeconfigYaml, entra ? credential : undefined, privateFqdn);
    },
    explainFailure(reason) {
      if (!privateFqdn || !/ENOTFOUND|EAI_AGAIN|ECONNREFUSED|ETIMEDOUT|EHOSTUNREACH|fetch failed|time budget/i.test(reason)) return reason;
      return `${reason}; this is a private cluster whose API server ${privateFqdn} is reachable only from its virtual network: give the function app VNet integration with a route and DNS to it`;
    },
  };
}

/**
 * The kubeconfig gives server and CA. For Entra clusters its user entry wants kubelogin, so it
 * is replaced by an authenticator that sends the identity's token for the AKS server scope on
 * every request (the credential caches it and renews it before it expires).
 */
function kubernetesClient(kubeconfigYaml: string, entraCredential: TokenCredential | undefined, privateFqdn: string | undefined): KubeConfig {
  const source = new KubeConfig();
  source.loadFromString(kubeconfigYaml);
  const cluster = source.getCurrentCluster();
  if (!cluster) throw new Error('the kubeconfig from ARM names no cluster');
  let server = cluster.server;
  if (privateFqdn && !server.includes(privateFqdn)) server = `https://${privateFqdn}:443`;
  if (!entraCredential) {
    if (server === cluster.server) return source;
    const kc = new KubeConfig();
    kc.loadFromOptions({
      clusters: [{ ...cluster, server }],
      users: source.getUsers(),
      contexts: source.getContexts(),
      currentContext: source.getCurrentContext(),
    });
    return kc;
  }
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [{ ...cluster, server }],
    users: [{ name: ENTRA_USER }],
    contexts: [{ name: 'aks', cluster: cluster.name, user: ENTRA_USER }],
    currentContext: 'aks',
  });
  kc.addAuthenticator({
    isAuthProvider: (user: User) => user.name === ENTRA_USER,
    applyAuthentication: async (_user, opts) => {
      const token = await entraCredential.getToken(AKS_SERVER_SCOPE);
      if (!token) throw new Error('the identity returned no token for the AKS server scope');
      opts.headers = { ...(opts.headers ?? {}), Authorization: `Bearer ${token.token}` };
    },
  });
  return kc;
}

/** ARM's error codes, turned into what to grant where. */
export function describeArmError(error: unknown, scope: string): string {
  if (isRestError(error)) {
    const code = error.code ?? '';
    if (error.statusCode === 403 || code === 'AuthorizationFailed') {
      const action = /perform action '([^']+)'/.exec(error.message)?.[1];
      return `403 ${code || 'Forbidden'}: the identity may not ${action ?? 'read this cluster'} on ${scope}; assign it "Azure Kubernetes Service Cluster User Role" on that cluster`;
    }
    if (error.statusCode === 404) {
      return `404 ${code || 'NotFound'}: ${scope} does not exist (deleted, or a wrong resource ID in CLUSTERS)`;
    }
    if (error.statusCode === 401) return `401 ${code || 'Unauthorized'}: ARM rejected the identity's token`;
    return `HTTP ${error.statusCode ?? '?'} ${code}: ${error.message.split('\n')[0]}`;
  }
  return error instanceof Error ? (error.message.split('\n')[0] ?? 'error') : String(error);
}
