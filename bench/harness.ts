/**
 * Puts a benchmark estate (estate.ts) behind the emulators, as production meets it: a
 * managed-identity endpoint, an ARM emulator with one cluster entry per Kubernetes API
 * emulator (Entra-enabled, so the Kubernetes API gets the identity's AKS token), and ACR
 * registries that exchange the identity's token. Every emulator gets the same latency.
 *
 * `env` is what the scanning process needs: CLUSTERS (resource IDs), REGISTRIES, ARM_ENDPOINT,
 * IDENTITY_ENDPOINT/IDENTITY_HEADER, NODE_EXTRA_CA_CERTS and the scan's settings.
 */
import type { V1Pod } from '@kubernetes/client-node';
import { startAcrRegistry, type AcrRegistryEmulator, type AcrTagSeed, type EventGridDelivery } from '../emulators/acrRegistry.js';
import { startArmEmulator, type ArmEmulator } from '../emulators/arm.js';
import type { RequestLogEntry } from '../emulators/httpUtil.js';
import { makePod, startKubernetesApi, type KubernetesApiHandle } from '../emulators/kubernetesApi.js';
import { normaliseResource, startManagedIdentityEndpoint, type ManagedIdentityEndpoint } from '../emulators/managedIdentity.js';
import type { TestPki } from '../emulators/testPki.js';
import { imageOf, type ClusterModel, type EstateModel } from './estate.js';

export const BENCH_SUBSCRIPTION = '0b5e11c4-0000-4000-8000-00000000be4c';
const ACR_RESOURCE = 'https://containerregistry.azure.net';
const AKS_RESOURCE = '6dae42f8-4368-4678-94ff-3960e28e3630';

export interface HarnessOptions {
  pki: TestPki;
  latencyMs: number;
  acrConcurrency: number;
  acrMaxResults: number;
  /** Reference time for tag ages. */
  now?: number;
  /** Authorised ACR data reads each registry serves per second before answering 429. */
  acrReadsPerSecond?: number;
  /** Where the registries write ImagePushed events when a tag is pushed (the push scenario). */
  eventGrid?: EventGridDelivery;
}

export interface RequestCounts {
  kubernetesNamespacePages: number;
  kubernetesPodPages: number;
  kubernetesOther: number;
  armRequests: number;
  identityTokens: number;
  acrExchanges: number;
  acrAccessTokens: number;
  acrChallenges: number;
  acrTagPages: number;
  acrManifests: number;
  acrThrottled: number;
  acrOther: number;
  total: number;
}

export interface BenchHarness {
  env: Record<string, string>;
  loginServers: string[];
  resourceIds: string[];
  /** The estate's registries, by index (`RepositoryModel.registry`): to push tags. */
  registries: AcrRegistryEmulator[];
  /** Requests counted since the harness started (or since `mark`). */
  counts(since?: RequestMark): RequestCounts;
  /** The current length of every request log, to count one run's requests. */
  mark(): RequestMark;
  /**
   * Median time between consecutive pod pages of the same cluster (answer to answer) since the
   * mark: latency plus everything else one page costs on both sides (server serialisation, a
   * TLS connection per request, parsing and folding), which the latency-only bound leaves out.
   */
  podPageIntervalMs(since?: RequestMark): number | undefined;
  close(): Promise<void>;
}

export type RequestMark = Map<RequestLogEntry[], number>;

export function clusterResourceId(cluster: ClusterModel): string {
  return `/subscriptions/${BENCH_SUBSCRIPTION}/resourceGroups/rg-bench/providers/Microsoft.ContainerService/managedClusters/${cluster.name}`;
}

/** The cluster's pods as the API server returns them; replicas share everything but their identity. */
function podsOf(estate: EstateModel, loginServers: string[], cluster: ClusterModel): V1Pod[] {
  const pods: V1Pod[] = [];
  for (const w of cluster.workloads) {
    const containers = w.containers.map((c) => {
      const { image, repositoryRef } = imageOf(estate, loginServers, c);
      return { name: c.name, image, imageID: `${repositoryRef}@${c.digest}` };
    });
    const template = makePod({ namespace: w.namespace, name: `${w.name}-${w.hash}-00000`, owner: { kind: 'ReplicaSet', name: `${w.name}-${w.hash}` }, ...(w.annotations ? { annotations: w.annotations } : {}), containers });
    for (let r = 0; r < w.replicas; r++) {
      pods.push({ ...template, metadata: { ...template.metadata, name: `${w.name}-${w.hash}-${r.toString(36).padStart(5, '0')}`, uid: `${w.hash}-${r}` } });
    }
  }
  return pods;
}

type Closable = { close(): Promise<void> };

/** The estate's repositories of registry `r`, with tag times relative to `now`. */
function registrySeeds(estate: EstateModel, r: number, now: number): Record<string, AcrTagSeed[]> {
  const repositories: Record<string, AcrTagSeed[]> = {};
  for (const repo of estate.repositories) {
    if (repo.registry !== r) continue;
    repositories[repo.name] = repo.tags.map((t) => ({ name: t.name, digest: t.digest, lastUpdateTime: new Date(now - t.ageHours * 3_600_000).toISOString() }));
  }
  return repositories;
}

async function startRegistries(estate: EstateModel, options: HarnessOptions, now: number, identity: ManagedIdentityEndpoint, started: Closable[]): Promise<AcrRegistryEmulator[]> {
  const registries: AcrRegistryEmulator[] = [];
  for (let r = 0; r < estate.options.registries; r++) {
    const registry = await startAcrRegistry({
      pki: options.pki,
      latencyMs: options.latencyMs,
      validateEntraToken: (token) => identity.validate(token, ACR_RESOURCE),
      repositories: registrySeeds(estate, r, now),
      ...(options.acrReadsPerSecond ? { readRateLimit: { perSecond: options.acrReadsPerSecond } } : {}),
      ...(options.eventGrid ? { eventGrid: options.eventGrid } : {}),
    });
    started.push(registry);
    registries.push(registry);
  }
  return registries;
}

/** Records when each entry of `log` was added (the request answered), at the same index. */
function timeEntries(log: RequestLogEntry[]): number[] {
  const times: number[] = [];
  const push = log.push.bind(log);
  log.push = (...entries: RequestLogEntry[]): number => {
    for (let i = 0; i < entries.length; i++) times.push(performance.now());
    return push(...entries);
  };
  return times;
}

/** One Kubernetes API per cluster; `answeredAt` holds when each request of each was answered. */
async function startClusters(
  estate: EstateModel,
  options: HarnessOptions,
  identity: ManagedIdentityEndpoint,
  loginServers: string[],
  started: Closable[],
): Promise<{ clusters: KubernetesApiHandle[]; answeredAt: Map<RequestLogEntry[], number[]> }> {
  const clusters: KubernetesApiHandle[] = [];
  const answeredAt = new Map<RequestLogEntry[], number[]>();
  for (const cluster of estate.clusters) {
    const api = await startKubernetesApi({
      pki: options.pki,
      latencyMs: options.latencyMs,
      namespaces: cluster.namespaces,
      pods: podsOf(estate, loginServers, cluster),
      // The benchmark measures the scanner: pods are serialised once, not per page, and pages go
      // uncompressed (on loopback gzip only costs CPU, on both sides; the scanner's gunzip
      // path is tested in test/inventory/kubernetesInventory.test.ts).
      immutablePods: true,
      compressAbove: Number.POSITIVE_INFINITY,
      authorize: (auth) => auth.bearerToken !== undefined && identity.validate(auth.bearerToken, AKS_RESOURCE),
    });
    started.push(api);
    clusters.push(api);
    answeredAt.set(api.requests, timeEntries(api.requests));
  }
  return { clusters, answeredAt };
}

/** ARM with one Entra-enabled cluster entry per Kubernetes API, whose kubeconfig asks kubelogin for the token. */
async function startArm(estate: EstateModel, options: HarnessOptions, identity: ManagedIdentityEndpoint, clusters: KubernetesApiHandle[]): Promise<ArmEmulator> {
  let armResource = '';
  const arm = await startArmEmulator({
    pki: options.pki,
    latencyMs: options.latencyMs,
    validateArmToken: (token) => identity.validate(token, armResource),
    clusters: estate.clusters.map((c, i) => ({
      subscriptionId: BENCH_SUBSCRIPTION,
      resourceGroup: 'rg-bench',
      name: c.name,
      aadEnabled: true,
      enableAzureRBAC: true,
      disableLocalAccounts: true,
      kubeconfig: (clusters[i] as KubernetesApiHandle).kubeconfig({
        clusterName: c.name,
        user: { exec: { apiVersion: 'client.authentication.k8s.io/v1beta1', command: 'kubelogin', args: ['get-token'] } },
      }),
    })),
  });
  armResource = normaliseResource(arm.endpoint);
  return arm;
}

function harnessEnv(options: HarnessOptions, identity: ManagedIdentityEndpoint, arm: ArmEmulator, resourceIds: string[], loginServers: string[], clusterSettings: EstateModel['clusterSettings']): Record<string, string> {
  return {
    ...identity.env,
    NODE_EXTRA_CA_CERTS: options.pki.caPath,
    CLUSTERS: resourceIds.join(','),
    // The estate's staging cluster, by its name (overrides.ts); empty when it has none.
    CLUSTER_SETTINGS: clusterSettings && Object.keys(clusterSettings).length > 0 ? JSON.stringify(clusterSettings) : '',
    REGISTRIES: loginServers.join(','),
    // The emulated registries listen on 127.0.0.1, not on an ACR login server.
    ALLOW_ANY_REGISTRY_HOST: 'true',
    ARM_ENDPOINT: arm.endpoint,
    ACR_CONCURRENCY: String(options.acrConcurrency),
    ACR_MAX_RESULTS: String(options.acrMaxResults),
    CLUSTER_TIMEOUT: '30m',
  };
}

interface EstateLogs {
  identity: RequestLogEntry[];
  arm: RequestLogEntry[];
  registries: RequestLogEntry[][];
  clusters: RequestLogEntry[][];
}

const allLogs = (logs: EstateLogs): RequestLogEntry[][] => [logs.identity, logs.arm, ...logs.registries, ...logs.clusters];

/** Requests of the kinds `kinds` in `log` from index `from`. */
function countKinds(log: RequestLogEntry[], from: number, kinds: string[]): number {
  let n = 0;
  for (let i = from; i < log.length; i++) if (kinds.includes((log[i] as RequestLogEntry).kind)) n++;
  return n;
}

function countRequests(logs: EstateLogs, since: RequestMark | undefined): RequestCounts {
  const from = (log: RequestLogEntry[]) => since?.get(log) ?? 0;
  const sum = (list: RequestLogEntry[][], kinds: string[]) => list.reduce((n, l) => n + countKinds(l, from(l), kinds), 0);
  const all = (list: RequestLogEntry[][]) => list.reduce((n, l) => n + l.length - from(l), 0);
  const k8s = logs.clusters;
  const acr = logs.registries;
  const c: RequestCounts = {
    kubernetesNamespacePages: sum(k8s, ['namespaces-page']),
    kubernetesPodPages: sum(k8s, ['pods-page']),
    kubernetesOther: 0,
    armRequests: all([logs.arm]),
    identityTokens: all([logs.identity]),
    acrExchanges: sum(acr, ['exchange']),
    acrAccessTokens: sum(acr, ['token']),
    acrChallenges: sum(acr, ['challenge']),
    acrTagPages: sum(acr, ['tags-page']),
    acrManifests: sum(acr, ['manifest', 'tag']),
    acrThrottled: sum(acr, ['throttled']),
    acrOther: sum(acr, ['failed', 'unknown']),
    total: all(allLogs(logs)),
  };
  c.kubernetesOther = all(k8s) - c.kubernetesNamespacePages - c.kubernetesPodPages;
  return c;
}

function medianPodPageInterval(answeredAt: Map<RequestLogEntry[], number[]>, since: RequestMark | undefined): number | undefined {
  const intervals: number[] = [];
  for (const [log, times] of answeredAt) {
    let previous: number | undefined;
    for (let i = since?.get(log) ?? 0; i < log.length; i++) {
      if ((log[i] as RequestLogEntry).kind !== 'pods-page') continue;
      const at = times[i] as number;
      if (previous !== undefined) intervals.push(at - previous);
      previous = at;
    }
  }
  intervals.sort((a, b) => a - b);
  return intervals.length ? intervals[Math.floor(intervals.length / 2)] : undefined;
}

export async function startBenchHarness(estate: EstateModel, options: HarnessOptions): Promise<BenchHarness> {
  const now = options.now ?? Date.now();
  const identity = await startManagedIdentityEndpoint({ latencyMs: options.latencyMs });
  const started: Closable[] = [identity];
  const closeAll = async (): Promise<void> => {
    await Promise.all(started.map((s) => s.close()));
  };
  try {
    const registries = await startRegistries(estate, options, now, identity, started);
    const loginServers = registries.map((r) => r.loginServer);
    const { clusters, answeredAt } = await startClusters(estate, options, identity, loginServers, started);
    const arm = await startArm(estate, options, identity, clusters);
    started.push(arm);
    const resourceIds = estate.clusters.map(clusterResourceId);
    const logs: EstateLogs = { identity: identity.requests, arm: arm.requests, registries: registries.map((r) => r.requests), clusters: clusters.map((c) => c.requests) };
    return {
      env: harnessEnv(options, identity, arm, resourceIds, loginServers, estate.clusterSettings),
      loginServers,
      resourceIds,
      registries,
      mark: () => new Map(allLogs(logs).map((l) => [l, l.length])),
      podPageIntervalMs: (since) => medianPodPageInterval(answeredAt, since),
      counts: (since) => countRequests(logs, since),
      close: closeAll,
    };
  } catch (error) {
    await closeAll();
    throw error;
  }
}
