/**
 * A three-cluster estate behind the ARM emulator, for the function handlers: an Entra-enabled
 * cluster (the identity's AKS token), a local-account cluster (the kubeconfig's own client
 * certificate) and one whose user kubeconfig the identity may not read (403). Its registry
 * writes ImagePushed events to the app's storage, as Event Grid would.
 */
import type { V1Pod } from '@kubernetes/client-node';
import { startAcrRegistry, type AcrRegistryEmulator } from '../../emulators/acrRegistry.js';
import { startArmEmulator, type ArmEmulator } from '../../emulators/arm.js';
import { startAzurite, type Azurite } from '../../emulators/azurite.js';
import { makePod, startKubernetesApi, type KubernetesApiHandle } from '../../emulators/kubernetesApi.js';
import { normaliseResource, startManagedIdentityEndpoint, type ManagedIdentityEndpoint } from '../../emulators/managedIdentity.js';
import { ACR_RESOURCE, digestOf } from '../../emulators/sandbox.js';
import { startSlackWebhookReceiver, type SlackWebhookReceiver } from '../../emulators/slackWebhook.js';
import { ensureTestPki } from '../../emulators/testPki.js';

export const SUBSCRIPTION = '11111111-2222-3333-4444-555555555555';
export const AKS_RESOURCE = '6dae42f8-4368-4678-94ff-3960e28e3630';
export const CLIENT_ID = '99999999-8888-7777-6666-555555555555';
const HOUR = 3_600_000;

export function resourceId(group: string, name: string): string {
  return `/subscriptions/${SUBSCRIPTION}/resourceGroups/${group}/providers/Microsoft.ContainerService/managedClusters/${name}`;
}

export interface ThreeClusterEstate {
  identity: ManagedIdentityEndpoint;
  arm: ArmEmulator;
  armResource: string;
  entraCluster: KubernetesApiHandle;
  localCluster: KubernetesApiHandle;
  registry: AcrRegistryEmulator;
  slack: SlackWebhookReceiver;
  /** The function app's storage account (alert state). */
  storage: Azurite;
  /** Every bearer token each Kubernetes emulator received. */
  kubernetesTokens: { entra: string[]; local: string[] };
  /** Every Entra token the registry was asked to exchange. */
  registryExchanges: string[];
  /** Every token ARM received. */
  armTokens: string[];
  env: Record<string, string>;
  close(): Promise<void>;
}

/** The queue the estate's registry writes its ImagePushed events to (as Event Grid would): PUSH_QUEUE's default. */
export const ESTATE_PUSH_QUEUE = 'acrsync-pushes';

/**
 * The estate's registry: shared/base-api (prod-20 newest) and orders/service; it records every
 * Entra token it is asked to exchange, and `pushTag` writes the ImagePushed event to
 * ESTATE_PUSH_QUEUE of the app's storage.
 */
async function startEstateRegistry(identity: ManagedIdentityEndpoint, now: number, storage: Azurite): Promise<{ registry: AcrRegistryEmulator; registryExchanges: string[] }> {
  const registryExchanges: string[] = [];
  const registry = await startAcrRegistry({
    pki: ensureTestPki(),
    eventGrid: { connectionString: storage.connectionString, queueName: ESTATE_PUSH_QUEUE },
    validateEntraToken: (token) => {
      registryExchanges.push(token);
      return identity.validate(token, ACR_RESOURCE);
    },
    repositories: {
      'shared/base-api': [
        { name: 'prod-20', digest: digestOf('base-20'), lastUpdateTime: new Date(now - 2 * HOUR).toISOString() },
        { name: 'prod-19', digest: digestOf('base-19'), lastUpdateTime: new Date(now - 30 * HOUR).toISOString() },
      ],
      'orders/service': [{ name: 'prod-5', digest: digestOf('orders-5'), lastUpdateTime: new Date(now - 5 * HOUR).toISOString() }],
    },
  });
  return { registry, registryExchanges };
}

/** The orders cluster's pods: orders-api (4 replicas) on shared/base-api, orders-svc on orders/service (`service` tag and digest label, prod-5 unless said). */
export function ordersClusterPods(loginServer: string, service: { tag: string; label: string } = { tag: 'prod-5', label: 'orders-5' }): V1Pod[] {
  const img = (repo: string, tag: string, label: string) => ({ image: `${loginServer}/${repo}:${tag}`, imageID: `${loginServer}/${repo}@${digestOf(label)}` });
  return [
    ...Array.from({ length: 4 }, (_, i) =>
      makePod({ namespace: 'orders', name: `orders-api-6d5f7c8b9-${i}`, owner: { kind: 'ReplicaSet', name: 'orders-api-6d5f7c8b9' }, containers: [{ name: 'api', ...img('shared/base-api', 'prod-19', 'base-19') }] }),
    ),
    makePod({ namespace: 'orders', name: 'orders-svc-5c6d7-0', owner: { kind: 'ReplicaSet', name: 'orders-svc-5c6d7' }, containers: [{ name: 'svc', ...img('orders/service', service.tag, service.label) }] }),
  ];
}

/** The Entra-enabled cluster (orders) and the local-account cluster (billing); each records the bearer tokens it receives. */
async function startEstateClusters(identity: ManagedIdentityEndpoint, registry: AcrRegistryEmulator): Promise<{ entraCluster: KubernetesApiHandle; localCluster: KubernetesApiHandle; kubernetesTokens: ThreeClusterEstate['kubernetesTokens'] }> {
  const pki = ensureTestPki();
  const img = (repo: string, tag: string, label: string) => ({ image: `${registry.loginServer}/${repo}:${tag}`, imageID: `${registry.loginServer}/${repo}@${digestOf(label)}` });
  const kubernetesTokens = { entra: [] as string[], local: [] as string[] };
  const entraCluster = await startKubernetesApi({
    pki,
    namespaces: [{ name: 'orders', labels: { slackChannel: 'orders-team' } }],
    pods: ordersClusterPods(registry.loginServer),
    authorize: (auth) => {
      if (auth.bearerToken) kubernetesTokens.entra.push(auth.bearerToken);
      return auth.bearerToken !== undefined && identity.validate(auth.bearerToken, AKS_RESOURCE);
    },
  });
  const localCluster = await startKubernetesApi({
    pki,
    namespaces: [{ name: 'billing' }],
    pods: [makePod({ namespace: 'billing', name: 'billing-api-7c8d9f6b5-0', owner: { kind: 'ReplicaSet', name: 'billing-api-7c8d9f6b5' }, containers: [{ name: 'api', ...img('shared/base-api', 'prod-19', 'base-19') }] })],
    authorize: (auth) => {
      if (auth.bearerToken) kubernetesTokens.local.push(auth.bearerToken);
      return auth.clientCertCN === 'clusterUser';
    },
  });
  return { entraCluster, localCluster, kubernetesTokens };
}

/** ARM with the three clusters; it records every token it receives. */
async function startEstateArm(identity: ManagedIdentityEndpoint, entraCluster: KubernetesApiHandle, localCluster: KubernetesApiHandle): Promise<{ arm: ArmEmulator; armResource: string; armTokens: string[] }> {
  const armTokens: string[] = [];
  let armResource = '';
  const arm = await startArmEmulator({
    pki: ensureTestPki(),
    validateArmToken: (token) => {
      armTokens.push(token);
      return identity.validate(token, armResource);
    },
    clusters: [
      { subscriptionId: SUBSCRIPTION, resourceGroup: 'orders-rg', name: 'orders-aks', aadEnabled: true, enableAzureRBAC: true, disableLocalAccounts: true, tags: { env: 'prod' }, kubeconfig: entraCluster.kubeconfig({ clusterName: 'orders-aks', contextName: 'orders-aks', user: { exec: { apiVersion: 'client.authentication.k8s.io/v1beta1', command: 'kubelogin', args: ['get-token'] } } }) },
      { subscriptionId: SUBSCRIPTION, resourceGroup: 'billing-rg', name: 'billing-aks', aadEnabled: false, tags: { env: 'prod' }, kubeconfig: localCluster.kubeconfig({ clusterName: 'billing-aks', contextName: 'billing-aks', user: { clientCert: true } }) },
      { subscriptionId: SUBSCRIPTION, resourceGroup: 'legacy-rg', name: 'legacy-aks', aadEnabled: true, tags: { env: 'dev' }, kubeconfig: entraCluster.kubeconfig(), deny: 'credentials' },
    ],
  });
  armResource = normaliseResource(arm.endpoint);
  return { arm, armResource, armTokens };
}

export async function startThreeClusterEstate(): Promise<ThreeClusterEstate> {
  const identity = await startManagedIdentityEndpoint({ clientId: CLIENT_ID });
  const storage = await startAzurite({ services: ['table', 'queue'] });
  const { registry, registryExchanges } = await startEstateRegistry(identity, Date.now(), storage);
  const { entraCluster, localCluster, kubernetesTokens } = await startEstateClusters(identity, registry);
  const { arm, armResource, armTokens } = await startEstateArm(identity, entraCluster, localCluster);
  const slack = await startSlackWebhookReceiver();
  const env: Record<string, string> = {
    ...identity.env,
    AZURE_CLIENT_ID: CLIENT_ID,
    ARM_ENDPOINT: arm.endpoint,
    CLUSTERS: [`orders=${resourceId('orders-rg', 'orders-aks')}`, resourceId('billing-rg', 'billing-aks'), resourceId('legacy-rg', 'legacy-aks')].join(','),
    REGISTRIES: registry.loginServer,
    // The emulated registry listens on 127.0.0.1, not on an ACR login server.
    ALLOW_ANY_REGISTRY_HOST: 'true',
    SLACK_WEBHOOK_URL: slack.url,
    SLACK_CHANNEL: 'platform-alerts',
    AzureWebJobsStorage: storage.connectionString,
  };
  return {
    identity,
    arm,
    armResource,
    entraCluster,
    localCluster,
    registry,
    slack,
    storage,
    kubernetesTokens,
    registryExchanges,
    armTokens,
    env,
    async close() {
      await Promise.all([arm.close(), entraCluster.close(), localCluster.close(), registry.close(), slack.close(), identity.close(), storage.close()]);
    },
  };
}
