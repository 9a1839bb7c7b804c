/**
 * SCAN_FANOUT=queue end to end, with the exported handlers called as the Functions host calls
 * them: the timer queues one message per cluster on Azurite's queue service, and each message
 * fed to the queue handler scans that one cluster through ARM (managed identity), the
 * Kubernetes API and ACR emulators, with alerts and their state (Azurite's table service) on
 * the normal path.
 */
import { InvocationContext } from '@azure/functions';
import { QueueClient } from '@azure/storage-queue';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startAcrRegistry, type AcrRegistryEmulator } from '../../emulators/acrRegistry.js';
import { startArmEmulator, type ArmEmulator } from '../../emulators/arm.js';
import { startAzurite, type Azurite } from '../../emulators/azurite.js';
import { makePod, startKubernetesApi, type KubernetesApiHandle } from '../../emulators/kubernetesApi.js';
import { normaliseResource, startManagedIdentityEndpoint, type ManagedIdentityEndpoint } from '../../emulators/managedIdentity.js';
import { ACR_RESOURCE, digestOf } from '../../emulators/sandbox.js';
import { startSlackWebhookReceiver, type SlackWebhookReceiver } from '../../emulators/slackWebhook.js';
import { ensureTestPki } from '../../emulators/testPki.js';
import { decodeClusterScanMessage, encodeClusterScanMessage } from '../../src/fanout/scanQueue.js';
import { scanTimerHandler } from '../../src/functions/scan.js';
import { scanClusterQueueHandler } from '../../src/functions/scanCluster.js';

const SUBSCRIPTION = '22222222-3333-4444-5555-666666666666';
const OTHER_SUBSCRIPTION = '33333333-4444-5555-6666-777777777777';
const AKS_RESOURCE = '6dae42f8-4368-4678-94ff-3960e28e3630';
const QUEUE = 'acrsync-clusters-test';
const HOUR = 3_600_000;

const resourceId = (group: string, name: string, subscription = SUBSCRIPTION): string =>
  `/subscriptions/${subscription}/resourceGroups/${group}/providers/Microsoft.ContainerService/managedClusters/${name}`;

let azurite: Azurite;
let identity: ManagedIdentityEndpoint;
let registry: AcrRegistryEmulator;
let shop: KubernetesApiHandle;
let billing: KubernetesApiHandle;
let arm: ArmEmulator;
let slack: SlackWebhookReceiver;
let queue: QueueClient;
let env: Record<string, string>;
const savedEnv = { ...process.env };
let logs: string[] = [];

function context(functionName: string): InvocationContext {
  return new InvocationContext({ invocationId: `test-${functionName}`, functionName, logHandler: (level, ...args) => logs.push(`${level} ${args.join(' ')}`) });
}

const timer = { isPastDue: false, schedule: { adjustForDST: true }, scheduleStatus: { last: '', next: '', lastUpdated: '' } };

async function drainQueue(): Promise<Array<{ text: string }>> {
  const out: Array<{ text: string }> = [];
  for (;;) {
    const { receivedMessageItems } = await queue.receiveMessages({ numberOfMessages: 32, visibilityTimeout: 60 });
    if (receivedMessageItems.length === 0) return out;
    for (const m of receivedMessageItems) {
      out.push({ text: m.messageText });
      await queue.deleteMessage(m.messageId, m.popReceipt);
    }
  }
}

/** What the Functions host hands the handler (host.json messageEncoding none): the JSON text, parsed. */
function asDelivered(text: string): unknown {
  return JSON.parse(text) as unknown;
}

function setEnv(values: Record<string, string | undefined>): void {
  for (const [key, value] of Object.entries(values)) {
    if (value === undefined) delete process.env[key];
    else process.env[key] = value;
  }
}

beforeAll(async () => {
  const pki = ensureTestPki();
  const now = Date.now();
  azurite = await startAzurite({ services: ['table', 'queue'] });
  identity = await startManagedIdentityEndpoint();
  registry = await startAcrRegistry({
    pki,
    validateEntraToken: (token) => identity.validate(token, ACR_RESOURCE),
    repositories: {
      'shop/web': [
        { name: 'prod-8', digest: digestOf('web-8'), lastUpdateTime: new Date(now - 2 * HOUR).toISOString() },
        { name: 'prod-7', digest: digestOf('web-7'), lastUpdateTime: new Date(now - 30 * HOUR).toISOString() },
      ],
      'billing/api': [{ name: 'prod-3', digest: digestOf('api-3'), lastUpdateTime: new Date(now - 5 * HOUR).toISOString() }],
      'mesh/proxy': [{ name: 'prod-2', digest: digestOf('proxy-2'), lastUpdateTime: new Date(now - 9 * HOUR).toISOString() }],
    },
  });
  const image = (repo: string, tag: string, label: string) => ({ image: `${registry.loginServer}/${repo}:${tag}`, imageID: `${registry.loginServer}/${repo}@${digestOf(label)}` });
  const authorize = (auth: { bearerToken?: string }) => auth.bearerToken !== undefined && identity.validate(auth.bearerToken, AKS_RESOURCE);
  shop = await startKubernetesApi({
    pki,
    namespaces: [{ name: 'shop', labels: { slackChannel: 'shop-alerts' } }],
    pods: Array.from({ length: 3 }, (_, i) =>
      makePod({
        namespace: 'shop',
        name: `web-7d9f8b6c5-${i}`,
        owner: { kind: 'ReplicaSet', name: 'web-7d9f8b6c5' },
        containers: [
          { name: 'web', ...image('shop/web', 'prod-7', 'web-7') },
          { name: 'proxy', ...image('mesh/proxy', 'prod-2', 'proxy-2') },
        ],
      }),
    ),
    authorize,
  });
  billing = await startKubernetesApi({
    pki,
    namespaces: [{ name: 'billing' }],
    pods: [
      makePod({
        namespace: 'billing',
        name: 'api-5c6d7-0',
        owner: { kind: 'ReplicaSet', name: 'api-5c6d7' },
        containers: [
          { name: 'api', ...image('billing/api', 'prod-3', 'api-3') },
          { name: 'proxy', ...image('mesh/proxy', 'prod-2', 'proxy-2') },
        ],
      }),
    ],
    authorize,
  });
  let armResource = '';
  const kubeconfig = (api: KubernetesApiHandle, name: string) =>
    api.kubeconfig({ clusterName: name, user: { exec: { apiVersion: 'client.authentication.k8s.io/v1beta1', command: 'kubelogin', args: ['get-token'] } } });
  arm = await startArmEmulator({
    pki,
    validateArmToken: (token) => identity.validate(token, armResource),
    clusters: [
      { subscriptionId: SUBSCRIPTION, resourceGroup: 'shop-rg', name: 'shop-aks', aadEnabled: true, tags: { env: 'prod' }, kubeconfig: kubeconfig(shop, 'shop-aks') },
      { subscriptionId: SUBSCRIPTION, resourceGroup: 'billing-rg', name: 'billing-aks', aadEnabled: true, tags: { env: 'prod' }, kubeconfig: kubeconfig(billing, 'billing-aks') },
      { subscriptionId: SUBSCRIPTION, resourceGroup: 'dev-rg', name: 'dev-aks', aadEnabled: true, tags: { env: 'dev' }, kubeconfig: kubeconfig(billing, 'dev-aks') },
      { subscriptionId: OTHER_SUBSCRIPTION, resourceGroup: 'x-rg', name: 'elsewhere-aks', aadEnabled: true, kubeconfig: kubeconfig(billing, 'elsewhere-aks') },
    ],
  });
  armResource = normaliseResource(arm.endpoint);
  slack = await startSlackWebhookReceiver();
  queue = new QueueClient(azurite.connectionString, QUEUE);
  env = {
    ...identity.env,
    AzureWebJobsStorage: azurite.connectionString,
    ARM_ENDPOINT: arm.endpoint,
    CLUSTERS: [`shop=${resourceId('shop-rg', 'shop-aks')}`, resourceId('billing-rg', 'billing-aks')].join(','),
    REGISTRIES: registry.loginServer,
    // The emulated registry listens on 127.0.0.1, not on an ACR login server.
    ALLOW_ANY_REGISTRY_HOST: 'true',
    SCAN_FANOUT: 'queue',
    SCAN_QUEUE: QUEUE,
    STATE_TABLE: 'fanoutstate',
    SLACK_WEBHOOK_URL: slack.url,
    SLACK_CHANNEL: 'platform-alerts',
  };
  for (const key of Object.keys(process.env)) if (/^(SLACK_|CLUSTERS|REGISTRIES|TAG_PATTERN|GRACE_PERIOD|ACR_CONCURRENCY|ACR_MAX_RESULTS|EXCLUDED_|SCAN_|STATE_|AZURE_CLIENT_ID|AzureWebJobsStorage)/.test(key)) delete process.env[key];
  Object.assign(process.env, env);
});

afterAll(async () => {
  process.env = savedEnv;
  await Promise.all([arm?.close(), shop?.close(), billing?.close(), registry?.close(), slack?.close(), identity?.close()]);
  await azurite?.close();
});

beforeEach(() => {
  logs = [];
  setEnv(env);
});

describe('scan timer with SCAN_FANOUT=queue', () => {
  it('queues exactly one plain JSON message per cluster, creating the queue, and scans nothing itself', async () => {
    const kubernetesBefore = shop.requests.length + billing.requests.length;
    const registryBefore = registry.requests.length;
    const before = Date.now();
    await scanTimerHandler(timer, context('scan'));
    const messages = await drainQueue();
    expect(messages).toHaveLength(2);
    const decoded = messages.map((m) => JSON.parse(m.text) as Record<string, unknown>);
    expect(decoded.map((m) => Object.keys(m).sort())).toEqual([
      ['clusterResourceId', 'enqueuedAt', 'name'],
      ['clusterResourceId', 'enqueuedAt', 'name'],
    ]);
    expect(decoded.map((m) => [m.name, String(m.clusterResourceId).toLowerCase()]).sort()).toEqual(
      [
        ['billing-aks', resourceId('billing-rg', 'billing-aks').toLowerCase()],
        ['shop', resourceId('shop-rg', 'shop-aks').toLowerCase()],
      ].sort(),
    );
    for (const m of decoded) expect(Date.parse(String(m.enqueuedAt))).toBeGreaterThanOrEqual(before - 1000);
    expect(shop.requests.length + billing.requests.length).toBe(kubernetesBefore);
    expect(registry.requests.length).toBe(registryBefore);
    expect(logs.some((l) => l.includes('cluster scans queued') && l.includes('clusters=2'))).toBe(true);
  });

  it('queues the clusters of a subscription entry that carry its tag', async () => {
    setEnv({ CLUSTERS: `subscription:${SUBSCRIPTION}?tag=env:prod` });
    await scanTimerHandler(timer, context('scan'));
    const names = (await drainQueue()).map((m) => (asDelivered(m.text) as { name: string }).name).sort();
    expect(names).toEqual(['billing-aks', 'shop-aks']);
  });

  it('fails the run, naming the settings, when no storage account is configured', async () => {
    setEnv({ AzureWebJobsStorage: undefined });
    await expect(scanTimerHandler(timer, context('scan'))).rejects.toThrow(/AzureWebJobsStorage__accountName/);
  });
});

describe('scanCluster queue handler', () => {
  it('scans the one cluster each queued message names, with alerts on the normal path', async () => {
    await scanTimerHandler(timer, context('scan'));
    const messages = await drainQueue();
    expect(messages).toHaveLength(2);
    const slackBefore = slack.messages.length;
    const proxyPagesBefore = registry.requests.filter((r) => r.kind === 'tags-page' && decodeURIComponent(r.path).includes('mesh/proxy')).length;
    for (const m of messages) {
      const delivered = asDelivered(m.text);
      const name = (delivered as { name: string }).name;
      const shopBefore = shop.requests.length;
      const billingBefore = billing.requests.length;
      logs = [];
      await scanClusterQueueHandler(delivered, context('scanCluster'));
      const scanned = logs.filter((l) => l.includes('cluster scanned'));
      expect(scanned).toHaveLength(1);
      expect(scanned[0]).toContain(`cluster=${name}`);
      expect(scanned[0]).toContain('ok=true');
      // Only that cluster's API server was asked.
      const [own, other] = name === 'shop' ? [shop, billing] : [billing, shop];
      const ownBefore = name === 'shop' ? shopBefore : billingBefore;
      const otherBefore = name === 'shop' ? billingBefore : shopBefore;
      expect(own.requests.length).toBeGreaterThan(ownBefore);
      expect(other.requests.length).toBe(otherBefore);
    }
    // The shop cluster runs prod-7 while prod-8 is the newest release: one alert, to its team
    // channel, naming the cluster by its alias; billing is in sync.
    const sent = slack.messages.slice(slackBefore).map((m) => JSON.stringify(m));
    expect(sent.length).toBeGreaterThan(0);
    expect(sent.some((t) => t.includes('shop-alerts') && t.includes('shop/web'))).toBe(true);
    expect(sent.every((t) => !t.includes('billing/api'))).toBe(true);

    // Both clusters run mesh/proxy: the scans of one timer run on one instance share the answer.
    const proxyPages = () => registry.requests.filter((r) => r.kind === 'tags-page' && decodeURIComponent(r.path).includes('mesh/proxy')).length;
    expect(proxyPages() - proxyPagesBefore).toBe(1);

    // The same message again (a retry, or the next timer run): the alert state remembers it.
    const again = messages.find((m) => (asDelivered(m.text) as { name: string }).name === 'shop');
    const slackAfterFirst = slack.messages.length;
    await scanClusterQueueHandler(asDelivered(again?.text ?? ''), context('scanCluster'));
    expect(slack.messages.length).toBe(slackAfterFirst);
  });

  it('accepts the message text as it sits on the queue, and base64 of it as an older version queued it', async () => {
    const text = encodeClusterScanMessage({ clusterResourceId: resourceId('billing-rg', 'billing-aks'), name: 'billing-aks', enqueuedAt: new Date().toISOString() });
    expect(text.startsWith('{')).toBe(true);
    expect(decodeClusterScanMessage(text)).toMatchObject({ name: 'billing-aks' });
    for (const item of [text, Buffer.from(text, 'utf8').toString('base64')]) {
      logs = [];
      await scanClusterQueueHandler(item, context('scanCluster'));
      expect(logs.some((l) => l.includes('cluster scanned') && l.includes('cluster=billing-aks') && l.includes('ok=true'))).toBe(true);
    }
  });

  it('drops a message for a cluster CLUSTERS does not name, without touching ARM', async () => {
    const armBefore = arm.requests.length;
    await scanClusterQueueHandler(
      { clusterResourceId: resourceId('x-rg', 'elsewhere-aks', OTHER_SUBSCRIPTION), name: 'elsewhere-aks', enqueuedAt: new Date().toISOString() },
      context('scanCluster'),
    );
    expect(arm.requests.length).toBe(armBefore);
    expect(logs.some((l) => l.startsWith('error') && l.includes('queue message dropped') && l.includes('not among the clusters CLUSTERS names'))).toBe(true);
  });

  it('scans a cluster of a configured subscription under the name the message gives', async () => {
    setEnv({ CLUSTERS: `subscription:${SUBSCRIPTION}?tag=env:prod` });
    await scanClusterQueueHandler({ clusterResourceId: resourceId('billing-rg', 'billing-aks'), name: 'billing-aks', enqueuedAt: new Date().toISOString() }, context('scanCluster'));
    expect(logs.some((l) => l.includes('cluster scanned') && l.includes('cluster=billing-aks') && l.includes('ok=true'))).toBe(true);
  });

  it('drops a message that is not a cluster scan message', async () => {
    await scanClusterQueueHandler({ hello: 'world' }, context('scanCluster'));
    await scanClusterQueueHandler('not json', context('scanCluster'));
    expect(logs.filter((l) => l.startsWith('error') && l.includes('queue message dropped'))).toHaveLength(2);
  });
});
