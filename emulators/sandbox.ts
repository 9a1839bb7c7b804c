/**
 * A small, realistic estate on local emulators: a managed-identity endpoint, one Kubernetes
 * API server with a few teams' namespaces, two ACR registries and a Slack webhook receiver.
 * Used by `npm run demo` and by the CLI integration tests, so both exercise the product the
 * same way: a kubeconfig, IDENTITY_ENDPOINT/IDENTITY_HEADER and NODE_EXTRA_CA_CERTS.
 *
 * Every finding status appears:
 *   payments/payments-api     in-sync (its pods report a platform manifest of the tag's index)
 *   payments/payments-worker  drift (40 replicas, one finding), team channel payments-alerts
 *   payments/payments-report  in-sync (CronJob)
 *   search/search-indexer     pending (newest tag pushed a minute ago)
 *   search/search-query       in-sync (the newest tag is a re-tag of the running digest)
 *   search/log-shipper        untracked (Docker Hub)
 *   web/web-frontend          stale-digest (prod-7 moved, pods not restarted)
 *   web/web-cache             drift (pinned by an old digest)
 *   web/web-nginx             untracked (Docker Hub short name)
 *   web/debug-shell           untracked (tag does not match prod-*)
 *   web/web-legacy            no-release (repository not in the registry)
 *   web/web-metrics           error (the identity may not read the private registry)
 * kube-system runs a drifted image too, but it is excluded.
 *
 * And settings of their own (README, "Settings per cluster, namespace and workload"):
 *   staging/storefront        drift on the staging namespace's pattern staging-*, to its channel
 *                             staging-alerts, with its grace period of 10m (namespace annotations)
 *   payments/payments-batch   untracked: opted out (acr-aks-sync.io/track: "false")
 *   search/search-indexer     its tokenizer container on its own pattern nightly-* (in sync)
 *   web/web-search            error: a bad acr-aks-sync.io/grace-period annotation
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startAcrRegistry, type AcrRegistryEmulator, type AcrTagSeed, type EventGridDelivery } from './acrRegistry.js';
import { makePod, startKubernetesApi, type KubernetesApiHandle, type MakePodContainer } from './kubernetesApi.js';
import { startManagedIdentityEndpoint, type ManagedIdentityEndpoint } from './managedIdentity.js';
import { startSlackWebhookReceiver, type SlackWebhookReceiver } from './slackWebhook.js';
import type { V1Pod } from '@kubernetes/client-node';
import type { TestPki } from './testPki.js';

export const ACR_RESOURCE = 'https://containerregistry.azure.net';

/** A deterministic fake digest: `sha256:` and 64 hex characters derived from a label. */
export function digestOf(label: string): string {
  let hex = '';
  for (let i = 0; hex.length < 64; i += 1) {
    let h = 2166136261 ^ i;
    for (const ch of `${label}#${i}`) h = Math.imul(h ^ ch.charCodeAt(0), 16777619) >>> 0;
    hex += h.toString(16).padStart(8, '0');
  }
  return `sha256:${hex.slice(0, 64)}`;
}

export interface Sandbox {
  dir: string;
  kubeconfigPath: string;
  clusterName: string;
  identity: ManagedIdentityEndpoint;
  kubernetes: KubernetesApiHandle;
  registry: AcrRegistryEmulator;
  privateRegistry: AcrRegistryEmulator;
  slack: SlackWebhookReceiver;
  /** Environment for the CLI: the product's own variables plus the identity endpoint and CA. */
  env: Record<string, string>;
  /** The payments team rolls out prod-789: payments-worker catches up. */
  rollOutPaymentsWorker(): void;
  /** The pods named `podPrefix…` now run `repository:tag` of the production registry, pulled as the digest of `pulled` (digestOf). */
  rollOut(podPrefix: string, repositoryAndTag: string, pulled: string): void;
  close(): Promise<void>;
}

const MIN = 60_000;
const HOUR = 60 * MIN;
const CLUSTER_NAME = 'sandbox-aks';

/** How the kubelet reports a pulled image: the repository by digest. */
function pullRef(image: string, label: string): string {
  return `${image.split(/[:@]/)[0]}@${digestOf(label)}`;
}

/** A container running `image`, pulled as the digest of `pulled`. */
function container(name: string, image: string, pulled: string): MakePodContainer & { imageID: string } {
  return { name, image, imageID: pullRef(image, pulled) };
}

/** A pod of the ReplicaSet `replicaSet` (a Deployment's), with its pod-template-hash label. */
function replicaSetPod(namespace: string, name: string, replicaSet: string, containers: MakePodContainer[], labels: Record<string, string> = {}, annotations?: Record<string, string>): V1Pod {
  const hash = replicaSet.slice(replicaSet.lastIndexOf('-') + 1);
  return makePod({ namespace, name, owner: { kind: 'ReplicaSet', name: replicaSet }, labels: { ...labels, 'pod-template-hash': hash }, ...(annotations ? { annotations } : {}), containers });
}

/** The production registry (the identity may read it; its pushes go to `eventGrid` when given) and a private one whose token exchange is always refused. */
async function startSandboxRegistries(pki: TestPki, identity: ManagedIdentityEndpoint, now: Date, eventGrid?: EventGridDelivery): Promise<[AcrRegistryEmulator, AcrRegistryEmulator]> {
  // A tag `age` old, of the image labelled `label`.
  const tag = (name: string, label: string, age: number): AcrTagSeed => ({ name, digest: digestOf(label), lastUpdateTime: new Date(now.getTime() - age).toISOString() });
  const registry = await startAcrRegistry({
    pki,
    host: '127.0.0.1',
    ...(eventGrid ? { eventGrid } : {}),
    validateEntraToken: (token) => identity.validate(token, ACR_RESOURCE),
    repositories: {
      'payments/api': [tag('prod-789', 'api-789', 3 * HOUR), tag('main-1234', 'api-main', 2 * HOUR), tag('prod-788', 'api-788', 30 * HOUR)],
      'payments/migrations': [tag('prod-789', 'mig-789', 3 * HOUR)],
      'payments/worker': [tag('prod-456', 'worker-456', 50 * HOUR), tag('prod-789', 'worker-789', 2 * HOUR), tag('pr-17', 'worker-pr', 10 * MIN)],
      'payments/report': [tag('prod-12', 'report-12', 24 * HOUR)],
      'search/indexer': [tag('prod-100', 'indexer-100', 24 * HOUR), tag('prod-101', 'indexer-101', 1 * MIN)],
      'search/query': [tag('prod-41', 'query-41', 5 * HOUR), tag('prod-42', 'query-41', 1 * HOUR)],
      'web/frontend': [tag('prod-7', 'frontend-7-new', 1 * HOUR)],
      'web/cache': [tag('prod-2', 'cache-2', 72 * HOUR), tag('prod-3', 'cache-3', 6 * HOUR)],
      'web/tools': [tag('dev-3', 'tools-3', 2 * HOUR)],
      ...settingsRepositories(tag),
    },
    manifests: {
      [digestOf('api-789')]: {
        references: [
          { digest: digestOf('api-789-amd64'), architecture: 'amd64', os: 'linux' },
          { digest: digestOf('api-789-arm64'), architecture: 'arm64', os: 'linux' },
        ],
      },
    },
  });
  const privateRegistry = await startAcrRegistry({
    pki,
    host: 'localhost',
    validateEntraToken: () => false,
    repositories: { 'web/metrics': [tag('prod-5', 'metrics-5', 4 * HOUR)] },
  });
  return [registry, privateRegistry];
}

function paymentsPods(prod: string): V1Pod[] {
  return [
    ...Array.from({ length: 3 }, (_, i) =>
      makePod({
        namespace: 'payments',
        name: `payments-api-7d9f8b6c5-${i}`,
        owner: { kind: 'ReplicaSet', name: 'payments-api-7d9f8b6c5' },
        labels: { app: 'payments-api', 'pod-template-hash': '7d9f8b6c5' },
        initContainers: [container('migrate', `${prod}/payments/migrations:prod-789`, 'mig-789')],
        containers: [container('api', `${prod}/payments/api:prod-789`, 'api-789-amd64')],
      }),
    ),
    ...Array.from({ length: 40 }, (_, i) =>
      replicaSetPod('payments', `payments-worker-5b7c9d-${i}`, 'payments-worker-5b7c9d', [container('worker', `${prod}/payments/worker:prod-456`, 'worker-456')], { app: 'payments-worker' }),
    ),
    makePod({
      namespace: 'payments',
      name: 'payments-report-29412345-x7k2p',
      owner: { kind: 'Job', name: 'payments-report-29412345' },
      containers: [container('report', `${prod}/payments/report:prod-12`, 'report-12')],
    }),
    makePod({ namespace: 'payments', name: 'payments-worker-old-finished', phase: 'Succeeded', containers: [container('worker', `${prod}/payments/worker:prod-1`, 'worker-1')] }),
  ];
}

function searchPods(prod: string): V1Pod[] {
  return [
    ...Array.from({ length: 2 }, (_, i) =>
      makePod({
        namespace: 'search',
        name: `search-indexer-${i}`,
        owner: { kind: 'StatefulSet', name: 'search-indexer' },
        // Its tokenizer container follows nightly builds: a pattern of its own.
        annotations: { 'tag-pattern.acr-aks-sync.io/tokenizer': 'nightly-*' },
        containers: [container('indexer', `${prod}/search/indexer:prod-100`, 'indexer-100'), container('tokenizer', `${prod}/search/tokenizer:nightly-21`, 'tokenizer-21')],
      }),
    ),
    replicaSetPod('search', 'search-query-6c8d7f-abcde', 'search-query-6c8d7f', [container('query', `${prod}/search/query:prod-41`, 'query-41')]),
    makePod({
      namespace: 'search',
      name: 'log-shipper-x8z2q',
      owner: { kind: 'DaemonSet', name: 'log-shipper' },
      containers: [{ name: 'fluent-bit', image: 'fluent/fluent-bit:3.0', imageID: pullRef('docker.io/fluent/fluent-bit', 'fluentbit') }],
    }),
  ];
}

function webPods(prod: string, priv: string): V1Pod[] {
  return [
    replicaSetPod('web', 'web-frontend-84f5c6d7b9-q2w3e', 'web-frontend-84f5c6d7b9', [container('frontend', `${prod}/web/frontend:prod-7`, 'frontend-7-old')]),
    replicaSetPod('web', 'web-cache-5d6f7-aaaaa', 'web-cache-5d6f7', [container('cache', `${prod}/web/cache@${digestOf('cache-2')}`, 'cache-2')]),
    replicaSetPod('web', 'web-nginx-66b6c48dd5-zzzzz', 'web-nginx-66b6c48dd5', [{ name: 'nginx', image: 'nginx:1.27', imageID: pullRef('docker.io/library/nginx', 'nginx-1.27') }]),
    makePod({ namespace: 'web', name: 'debug-shell', containers: [container('shell', `${prod}/web/tools:dev-3`, 'tools-3')] }),
    replicaSetPod('web', 'web-legacy-7f7f7f-bbbbb', 'web-legacy-7f7f7f', [container('legacy', `${prod}/web/legacy:prod-1`, 'legacy-1')]),
    replicaSetPod('web', 'web-metrics-5c5c5c-ccccc', 'web-metrics-5c5c5c', [container('metrics', `${priv}/web/metrics:prod-4`, 'metrics-4')]),
  ];
}

/** The tags the workloads with settings of their own run: staging builds, nightly builds. */
function settingsRepositories(tag: (name: string, label: string, age: number) => AcrTagSeed): Record<string, AcrTagSeed[]> {
  return {
    'web/storefront': [tag('staging-42', 'storefront-s42', 50 * MIN), tag('prod-9', 'storefront-9', 5 * HOUR), tag('staging-41', 'storefront-s41', 30 * HOUR)],
    'search/tokenizer': [tag('nightly-21', 'tokenizer-21', 5 * HOUR), tag('nightly-20', 'tokenizer-20', 29 * HOUR)],
  };
}

/**
 * Workloads with settings of their own: a staging namespace on its own pattern and channel, an
 * opted-out workload, a bad annotation (search-indexer's tokenizer, with a pattern of its own,
 * is in searchPods).
 */
function settingsPods(prod: string): V1Pod[] {
  return [
    replicaSetPod('staging', 'storefront-6b7c8d9f5-s1', 'storefront-6b7c8d9f5', [container('storefront', `${prod}/web/storefront:staging-41`, 'storefront-s41')]),
    replicaSetPod('payments', 'payments-batch-7c6d5e4f3-b1', 'payments-batch-7c6d5e4f3', [container('batch', `${prod}/payments/worker:prod-456`, 'worker-456')], {}, { 'acr-aks-sync.io/track': 'false' }),
    replicaSetPod('web', 'web-search-5f6e7d8c9-w1', 'web-search-5f6e7d8c9', [container('search-ui', `${prod}/web/storefront:prod-9`, 'storefront-9')], {}, { 'acr-aks-sync.io/grace-period': '10 minutes' }),
  ];
}

/** kube-system runs a drifted image, but it is excluded. */
function systemPods(prod: string): V1Pod[] {
  return [replicaSetPod('kube-system', 'coredns-abc', 'coredns-5d78c9869d', [container('coredns', `${prod}/payments/worker:prod-456`, 'worker-456')])];
}

/** The pods after the pods named `podPrefix…` (their containers, one image each) were replaced by pods running `image`, pulled as the digest of `pulled`. */
function withRolledOut(pods: V1Pod[], podPrefix: string, image: string, pulled: string): V1Pod[] {
  const { imageID } = container('', image, pulled);
  return pods.map((pod) => {
    if (!pod.metadata?.name?.startsWith(podPrefix)) return pod;
    return {
      ...pod,
      spec: { ...pod.spec, containers: (pod.spec?.containers ?? []).map((c) => ({ ...c, image })) },
      status: { ...pod.status, containerStatuses: (pod.status?.containerStatuses ?? []).map((c) => ({ ...c, image, imageID })) },
    };
  });
}

export interface SandboxOptions {
  /** Where the production registry writes its ImagePushed events (`registry.pushTag`), as Event Grid would. */
  eventGrid?: EventGridDelivery;
}

export async function startSandbox(pki: TestPki, now: Date = new Date(), options: SandboxOptions = {}): Promise<Sandbox> {
  const identity = await startManagedIdentityEndpoint();
  const [registry, privateRegistry] = await startSandboxRegistries(pki, identity, now, options.eventGrid);
  const prod = registry.loginServer;
  const priv = privateRegistry.loginServer;
  const pods = [...paymentsPods(prod), ...searchPods(prod), ...webPods(prod, priv), ...settingsPods(prod), ...systemPods(prod)];
  const kubernetes = await startKubernetesApi({
    pki,
    namespaces: [
      { name: 'payments', labels: { slackChannel: 'payments-alerts', team: 'payments' } },
      { name: 'search', labels: { slackChannel: 'search-team' } },
      { name: 'web', labels: { team: 'web' } },
      // Staging releases staging-* builds and alerts its own channel: the namespace says so.
      { name: 'staging', annotations: { 'acr-aks-sync.io/tag-pattern': 'staging-*', 'acr-aks-sync.io/slack-channel': 'staging-alerts', 'acr-aks-sync.io/grace-period': '10m' } },
      { name: 'kube-system' },
    ],
    pods,
  });
  let current = pods;
  const rollOut = (podPrefix: string, repositoryAndTag: string, pulled: string): void => {
    current = withRolledOut(current, podPrefix, `${prod}/${repositoryAndTag}`, pulled);
    kubernetes.setPods(current);
  };
  const slack = await startSlackWebhookReceiver();
  const dir = mkdtempSync(join(tmpdir(), 'acr-aks-sync-sandbox-'));
  const kubeconfigPath = join(dir, 'kubeconfig.yaml');
  writeFileSync(kubeconfigPath, kubernetes.kubeconfig({ contextName: CLUSTER_NAME, clusterName: CLUSTER_NAME }), { mode: 0o600 });
  const env: Record<string, string> = {
    ...identity.env,
    NODE_EXTRA_CA_CERTS: pki.caPath,
    REGISTRIES: `${prod},${priv}`,
    // The emulated registries listen on 127.0.0.1, not on an ACR login server.
    ALLOW_ANY_REGISTRY_HOST: 'true',
    SLACK_WEBHOOK_URL: slack.url,
    SLACK_CHANNEL: 'platform-alerts',
  };
  return {
    dir,
    kubeconfigPath,
    clusterName: CLUSTER_NAME,
    identity,
    kubernetes,
    registry,
    privateRegistry,
    slack,
    env,
    rollOutPaymentsWorker: () => rollOut('payments-worker-5b7c9d-', 'payments/worker:prod-789', 'worker-789'),
    rollOut,
    async close() {
      await Promise.all([kubernetes.close(), registry.close(), privateRegistry.close(), slack.close(), identity.close()]);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
