/**
 * An estate that sets every level of the settings, behind the emulators as production meets
 * them (ARM with AKS tags, two Kubernetes APIs, ACR, the managed identity, a Slack webhook):
 *
 * - `prod` (AKS tag acr-aks-sync.slack-channel=prod-alerts): namespace `shop` with the team label
 *   `slackChannel: shop-team` (Deployments api, drift; canary, a 3h grace period and a proxy
 *   container on its own pattern; legacy, opted out; broken, a bad grace period), namespace
 *   `team-b` annotated with its own channel and pattern `main-*`, namespace `plain` with nothing;
 * - `stg` (CLUSTER_SETTINGS: pattern staging-*, channel, 10m grace, name "Staging EU",
 *   excluded namespaces; AKS tags acr-aks-sync.tag-pattern=main-* (overruled) and
 *   acr-aks-sync.track=annotated): namespace `shop` opts in, `other` does not, `sandbox` excluded;
 * - `tagged`, the prod API again behind an AKS resource whose tag acr-aks-sync.grace-period is bad.
 */
import type { V1Pod } from '@kubernetes/client-node';
import { startAcrRegistry, type AcrRegistryEmulator } from '../../emulators/acrRegistry.js';
import { startArmEmulator, type ArmEmulator } from '../../emulators/arm.js';
import { makePod, startKubernetesApi, type KubernetesApiHandle, type NamespaceSpec } from '../../emulators/kubernetesApi.js';
import { normaliseResource, startManagedIdentityEndpoint, type ManagedIdentityEndpoint } from '../../emulators/managedIdentity.js';
import { ACR_RESOURCE, digestOf } from '../../emulators/sandbox.js';
import { startSlackWebhookReceiver, type SlackWebhookReceiver } from '../../emulators/slackWebhook.js';
import { ensureTestPki } from '../../emulators/testPki.js';
import { AKS_RESOURCE, SUBSCRIPTION, resourceId } from './estate.js';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

export interface SettingsEstate {
  env: Record<string, string>;
  arm: ArmEmulator;
  prodCluster: KubernetesApiHandle;
  registry: AcrRegistryEmulator;
  slack: SlackWebhookReceiver;
  /** The prod cluster's namespaces as first served, to change in a test. */
  prodNamespaces: NamespaceSpec[];
  close(): Promise<void>;
}

function deployment(registry: string, namespace: string, name: string, containers: Array<[string, string, string]>, annotations?: Record<string, string>): V1Pod {
  return makePod({
    namespace,
    name: `${name}-5d8f7c9b6-x1`,
    owner: { kind: 'ReplicaSet', name: `${name}-5d8f7c9b6` },
    ...(annotations ? { annotations } : {}),
    containers: containers.map(([container, repoTag, pulled]) => ({ name: container, image: `${registry}/${repoTag}`, imageID: `${registry}/${repoTag.split(':')[0]}@${digestOf(pulled)}` })),
  });
}

async function startSettingsRegistry(identity: ManagedIdentityEndpoint, now: number): Promise<AcrRegistryEmulator> {
  const tag = (name: string, age: number) => ({ name, digest: digestOf(name), lastUpdateTime: new Date(now - age).toISOString() });
  return startAcrRegistry({
    pki: ensureTestPki(),
    validateEntraToken: (token) => identity.validate(token, ACR_RESOURCE),
    repositories: {
      'shop/api': [tag('main-9', 20 * MINUTE), tag('staging-31', HOUR), tag('prod-20', 2 * HOUR), tag('prod-19', 40 * HOUR), tag('staging-30', 40 * HOUR), tag('prod-1', 400 * HOUR)],
      'shop/proxy': [tag('edge-6', 2 * HOUR), tag('prod-5', 3 * HOUR)],
    },
  });
}

const PROD_NAMESPACES: NamespaceSpec[] = [
  { name: 'shop', labels: { slackChannel: 'shop-team' } },
  { name: 'team-b', labels: { slackChannel: 'ignored-label' }, annotations: { 'acr-aks-sync.io/slack-channel': '#team-b-alerts', 'acr-aks-sync.io/tag-pattern': 'main-*' } },
  { name: 'plain' },
];

function prodPods(r: string): V1Pod[] {
  return [
    deployment(r, 'shop', 'api', [['api', 'shop/api:prod-19', 'prod-19']]),
    deployment(r, 'shop', 'canary', [['app', 'shop/api:prod-19', 'prod-19'], ['proxy', 'shop/proxy:edge-6', 'edge-6']], { 'acr-aks-sync.io/grace-period': '3h', 'tag-pattern.acr-aks-sync.io/proxy': 'edge-*' }),
    deployment(r, 'shop', 'legacy', [['app', 'shop/api:prod-1', 'prod-1']], { 'acr-aks-sync.io/track': 'false' }),
    deployment(r, 'shop', 'broken', [['app', 'shop/api:prod-20', 'prod-20']], { 'acr-aks-sync.io/grace-period': 'soon' }),
    deployment(r, 'team-b', 'web', [['web', 'shop/api:main-9', 'main-9']]),
    deployment(r, 'plain', 'worker', [['worker', 'shop/api:prod-19', 'prod-19']]),
  ];
}

function stagingPods(r: string): V1Pod[] {
  return [
    deployment(r, 'shop', 'api', [['api', 'shop/api:staging-30', 'staging-30']]),
    deployment(r, 'other', 'tool', [['tool', 'shop/api:staging-31', 'staging-31']]),
    deployment(r, 'sandbox', 'toy', [['toy', 'shop/api:staging-30', 'staging-30']]),
  ];
}

export async function startSettingsEstate(): Promise<SettingsEstate> {
  const pki = ensureTestPki();
  const identity = await startManagedIdentityEndpoint();
  const registry = await startSettingsRegistry(identity, Date.now());
  const r = registry.loginServer;
  const entra = { authorize: (auth: { bearerToken?: string }) => auth.bearerToken !== undefined && identity.validate(auth.bearerToken, AKS_RESOURCE) };
  const prodCluster = await startKubernetesApi({ pki, namespaces: PROD_NAMESPACES, pods: prodPods(r), ...entra });
  const stagingCluster = await startKubernetesApi({ pki, namespaces: [{ name: 'shop', annotations: { 'acr-aks-sync.io/track': 'true' } }, { name: 'other' }, { name: 'sandbox' }], pods: stagingPods(r), ...entra });
  const kubelogin = { exec: { apiVersion: 'client.authentication.k8s.io/v1beta1', command: 'kubelogin', args: ['get-token'] } };
  const seed = (name: string, api: KubernetesApiHandle, tags: Record<string, string>) => ({ subscriptionId: SUBSCRIPTION, resourceGroup: 'rg', name, aadEnabled: true, enableAzureRBAC: true, tags, kubeconfig: api.kubeconfig({ clusterName: name, user: kubelogin }) });
  let armResource = '';
  const arm: ArmEmulator = await startArmEmulator({
    pki,
    validateArmToken: (token) => identity.validate(token, armResource),
    clusters: [
      seed('aks-prod', prodCluster, { 'acr-aks-sync.slack-channel': 'prod-alerts', env: 'prod' }),
      seed('aks-stg', stagingCluster, { 'acr-aks-sync.tag-pattern': 'main-*', 'Acr-Aks-Sync.Track': 'annotated' }),
      seed('aks-tagged', prodCluster, { 'acr-aks-sync.grace-period': 'whenever' }),
    ],
  });
  armResource = normaliseResource(arm.endpoint);
  const slack = await startSlackWebhookReceiver();
  const env: Record<string, string> = {
    ...identity.env,
    ARM_ENDPOINT: arm.endpoint,
    CLUSTERS: [`prod=${resourceId('rg', 'aks-prod')}`, `stg=${resourceId('rg', 'aks-stg')}`, `tagged=${resourceId('rg', 'aks-tagged')}`].join(','),
    CLUSTER_SETTINGS: JSON.stringify({ stg: { tagPattern: 'staging-*', slackChannel: '#staging-alerts', gracePeriod: '10m', name: 'Staging EU', excludedNamespaces: ['kube-system', 'sandbox'] } }),
    REGISTRIES: r,
    ALLOW_ANY_REGISTRY_HOST: 'true',
    SLACK_WEBHOOK_URL: slack.url,
    SLACK_CHANNEL: 'platform-alerts',
  };
  return {
    env,
    arm,
    prodCluster,
    registry,
    slack,
    prodNamespaces: PROD_NAMESPACES,
    async close() {
      await Promise.all([arm.close(), prodCluster.close(), stagingCluster.close(), registry.close(), slack.close(), identity.close()]);
    },
  };
}
