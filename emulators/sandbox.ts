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
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startAcrRegistry, type AcrRegistryEmulator } from './acrRegistry.js';
import { makePod, startKubernetesApi, type KubernetesApiHandle } from './kubernetesApi.js';
import { startManagedIdentityEndpoint, type ManagedIdentityEndpoint } from './managedIdentity.js';
import { startSlackWebhookReceiver, type SlackWebhookReceiver } from './slackWebhook.js';
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
  close(): Promise<void>;
}

export async function startSandbox(pki: TestPki, now: Date = new Date()): Promise<Sandbox> {
  const ago = (ms: number): string => new Date(now.getTime() - ms).toISOString();
  const MIN = 60_000;
  const HOUR = 60 * MIN;
  const identity = await startManagedIdentityEndpoint();
  const registry = await startAcrRegistry({
    pki,
    host: '127.0.0.1',
    validateEntraToken: (token) => identity.validate(token, ACR_RESOURCE),
    repositories: {
      'payments/api': [
        { name: 'prod-789', digest: digestOf('api-789'), lastUpdateTime: ago(3 * HOUR) },
        { name: 'main-1234', digest: digestOf('api-main'), lastUpdateTime: ago(2 * HOUR) },
        { name: 'prod-788', digest: digestOf('api-788'), lastUpdateTime: ago(30 * HOUR) },
      ],
      'payments/migrations': [{ name: 'prod-789', digest: digestOf('mig-789'), lastUpdateTime: ago(3 * HOUR) }],
      'payments/worker': [
        { name: 'prod-456', digest: digestOf('worker-456'), lastUpdateTime: ago(50 * HOUR) },
        { name: 'prod-789', digest: digestOf('worker-789'), lastUpdateTime: ago(2 * HOUR) },
        { name: 'pr-17', digest: digestOf('worker-pr'), lastUpdateTime: ago(10 * MIN) },
      ],
      'payments/report': [{ name: 'prod-12', digest: digestOf('report-12'), lastUpdateTime: ago(24 * HOUR) }],
      'search/indexer': [
        { name: 'prod-100', digest: digestOf('indexer-100'), lastUpdateTime: ago(24 * HOUR) },
        { name: 'prod-101', digest: digestOf('indexer-101'), lastUpdateTime: ago(1 * MIN) },
      ],
      'search/query': [
        { name: 'prod-41', digest: digestOf('query-41'), lastUpdateTime: ago(5 * HOUR) },
        { name: 'prod-42', digest: digestOf('query-41'), lastUpdateTime: ago(1 * HOUR) },
      ],
      'web/frontend': [{ name: 'prod-7', digest: digestOf('frontend-7-new'), lastUpdateTime: ago(1 * HOUR) }],
      'web/cache': [
        { name: 'prod-2', digest: digestOf('cache-2'), lastUpdateTime: ago(72 * HOUR) },
        { name: 'prod-3', digest: digestOf('cache-3'), lastUpdateTime: ago(6 * HOUR) },
      ],
      'web/tools': [{ name: 'dev-3', digest: digestOf('tools-3'), lastUpdateTime: ago(2 * HOUR) }],
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
  // The identity has no AcrPull on this registry: every token exchange is refused.
  const privateRegistry = await startAcrRegistry({
    pki,
    host: 'localhost',
    validateEntraToken: () => false,
    repositories: { 'web/metrics': [{ name: 'prod-5', digest: digestOf('metrics-5'), lastUpdateTime: ago(4 * HOUR) }] },
  });
  const prod = registry.loginServer;
  const priv = privateRegistry.loginServer;
  const pullRef = (image: string, label: string): string => `${image.split(/[:@]/)[0]}@${digestOf(label)}`;

  const pods = [
    ...Array.from({ length: 3 }, (_, i) =>
      makePod({
        namespace: 'payments',
        name: `payments-api-7d9f8b6c5-${i}`,
        owner: { kind: 'ReplicaSet', name: 'payments-api-7d9f8b6c5' },
        labels: { app: 'payments-api', 'pod-template-hash': '7d9f8b6c5' },
        initContainers: [{ name: 'migrate', image: `${prod}/payments/migrations:prod-789`, imageID: pullRef(`${prod}/payments/migrations`, 'mig-789') }],
        containers: [{ name: 'api', image: `${prod}/payments/api:prod-789`, imageID: pullRef(`${prod}/payments/api`, 'api-789-amd64') }],
      }),
    ),
    ...Array.from({ length: 40 }, (_, i) =>
      makePod({
        namespace: 'payments',
        name: `payments-worker-5b7c9d-${i}`,
        owner: { kind: 'ReplicaSet', name: 'payments-worker-5b7c9d' },
        labels: { app: 'payments-worker', 'pod-template-hash': '5b7c9d' },
        containers: [{ name: 'worker', image: `${prod}/payments/worker:prod-456`, imageID: pullRef(`${prod}/payments/worker`, 'worker-456') }],
      }),
    ),
    makePod({
      namespace: 'payments',
      name: 'payments-report-29412345-x7k2p',
      owner: { kind: 'Job', name: 'payments-report-29412345' },
      containers: [{ name: 'report', image: `${prod}/payments/report:prod-12`, imageID: pullRef(`${prod}/payments/report`, 'report-12') }],
    }),
    makePod({
      namespace: 'payments',
      name: 'payments-worker-old-finished',
      phase: 'Succeeded',
      containers: [{ name: 'worker', image: `${prod}/payments/worker:prod-1`, imageID: pullRef(`${prod}/payments/worker`, 'worker-1') }],
    }),
    ...Array.from({ length: 2 }, (_, i) =>
      makePod({
        namespace: 'search',
        name: `search-indexer-${i}`,
        owner: { kind: 'StatefulSet', name: 'search-indexer' },
        containers: [{ name: 'indexer', image: `${prod}/search/indexer:prod-100`, imageID: pullRef(`${prod}/search/indexer`, 'indexer-100') }],
      }),
    ),
    makePod({
      namespace: 'search',
      name: 'search-query-6c8d7f-abcde',
      owner: { kind: 'ReplicaSet', name: 'search-query-6c8d7f' },
      labels: { 'pod-template-hash': '6c8d7f' },
      containers: [{ name: 'query', image: `${prod}/search/query:prod-41`, imageID: pullRef(`${prod}/search/query`, 'query-41') }],
    }),
    makePod({
      namespace: 'search',
      name: 'log-shipper-x8z2q',
      owner: { kind: 'DaemonSet', name: 'log-shipper' },
      containers: [{ name: 'fluent-bit', image: 'fluent/fluent-bit:3.0', imageID: pullRef('docker.io/fluent/fluent-bit', 'fluentbit') }],
    }),
    makePod({
      namespace: 'web',
      name: 'web-frontend-84f5c6d7b9-q2w3e',
      owner: { kind: 'ReplicaSet', name: 'web-frontend-84f5c6d7b9' },
      labels: { 'pod-template-hash': '84f5c6d7b9' },
      containers: [{ name: 'frontend', image: `${prod}/web/frontend:prod-7`, imageID: pullRef(`${prod}/web/frontend`, 'frontend-7-old') }],
    }),
    makePod({
      namespace: 'web',
      name: 'web-cache-5d6f7-aaaaa',
      owner: { kind: 'ReplicaSet', name: 'web-cache-5d6f7' },
      labels: { 'pod-template-hash': '5d6f7' },
      containers: [{ name: 'cache', image: `${prod}/web/cache@${digestOf('cache-2')}`, imageID: pullRef(`${prod}/web/cache`, 'cache-2') }],
    }),
    makePod({
      namespace: 'web',
      name: 'web-nginx-66b6c48dd5-zzzzz',
      owner: { kind: 'ReplicaSet', name: 'web-nginx-66b6c48dd5' },
      labels: { 'pod-template-hash': '66b6c48dd5' },
      containers: [{ name: 'nginx', image: 'nginx:1.27', imageID: pullRef('docker.io/library/nginx', 'nginx-1.27') }],
    }),
    makePod({
      namespace: 'web',
      name: 'debug-shell',
      containers: [{ name: 'shell', image: `${prod}/web/tools:dev-3`, imageID: pullRef(`${prod}/web/tools`, 'tools-3') }],
    }),
    makePod({
      namespace: 'web',
      name: 'web-legacy-7f7f7f-bbbbb',
      owner: { kind: 'ReplicaSet', name: 'web-legacy-7f7f7f' },
      labels: { 'pod-template-hash': '7f7f7f' },
      containers: [{ name: 'legacy', image: `${prod}/web/legacy:prod-1`, imageID: pullRef(`${prod}/web/legacy`, 'legacy-1') }],
    }),
    makePod({
      namespace: 'web',
      name: 'web-metrics-5c5c5c-ccccc',
      owner: { kind: 'ReplicaSet', name: 'web-metrics-5c5c5c' },
      labels: { 'pod-template-hash': '5c5c5c' },
      containers: [{ name: 'metrics', image: `${priv}/web/metrics:prod-4`, imageID: pullRef(`${priv}/web/metrics`, 'metrics-4') }],
    }),
    makePod({
      namespace: 'kube-system',
      name: 'coredns-abc',
      owner: { kind: 'ReplicaSet', name: 'coredns-5d78c9869d' },
      labels: { 'pod-template-hash': '5d78c9869d' },
      containers: [{ name: 'coredns', image: `${prod}/payments/worker:prod-456`, imageID: pullRef(`${prod}/payments/worker`, 'worker-456') }],
    }),
  ];
  const kubernetes = await startKubernetesApi({
    pki,
    namespaces: [
      { name: 'payments', labels: { slackChannel: 'payments-alerts', team: 'payments' } },
      { name: 'search', labels: { slackChannel: 'search-team' } },
      { name: 'web', labels: { team: 'web' } },
      { name: 'kube-system' },
    ],
    pods,
  });
  const slack = await startSlackWebhookReceiver();
  const dir = mkdtempSync(join(tmpdir(), 'acr-aks-sync-sandbox-'));
  const clusterName = 'sandbox-aks';
  const kubeconfigPath = join(dir, 'kubeconfig.yaml');
  writeFileSync(kubeconfigPath, kubernetes.kubeconfig({ contextName: clusterName, clusterName }), { mode: 0o600 });

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
    clusterName,
    identity,
    kubernetes,
    registry,
    privateRegistry,
    slack,
    env,
    rollOutPaymentsWorker() {
      const image = `${prod}/payments/worker:prod-789`;
      const imageID = pullRef(`${prod}/payments/worker`, 'worker-789');
      kubernetes.setPods(
        pods.map((pod) => {
          if (pod.metadata?.namespace !== 'payments' || !pod.metadata.name?.startsWith('payments-worker-5b7c9d-')) return pod;
          return {
            ...pod,
            spec: { ...pod.spec, containers: (pod.spec?.containers ?? []).map((c) => ({ ...c, image })) },
            status: { ...pod.status, containerStatuses: (pod.status?.containerStatuses ?? []).map((c) => ({ ...c, image, imageID })) },
          };
        }),
      );
    },
    async close() {
      await Promise.all([kubernetes.close(), registry.close(), privateRegistry.close(), slack.close(), identity.close()]);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
