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
import { startAcrRegistry, type AcrRegistryEmulator, type AcrTagSeed } from '../emulators/acrRegistry.js';
import { startArmEmulator, type ArmEmulator } from '../emulators/arm.js';
import type { RequestLogEntry } from '../emulators/httpUtil.js';
import { makePod, startKubernetesApi, type KubernetesApiHandle } from '../emulators/kubernetesApi.js';
import { normaliseResource, startManagedIdentityEndpoint } from '../emulators/managedIdentity.js';
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
    const template = makePod({ namespace: w.namespace, name: `${w.name}-${w.hash}-00000`, owner: { kind: 'ReplicaSet', name: `${w.name}-${w.hash}` }, containers });
    for (let r = 0; r < w.replicas; r++) {
      pods.push({ ...template, metadata: { ...template.metadata, name: `${w.name}-${w.hash}-${r.toString(36).padStart(5, '0')}`, uid: `${w.hash}-${r}` } });
    }
  }
  return pods;
}

export async function startBenchHarness(estate: EstateModel, options: HarnessOptions): Promise<BenchHarness> {
  const { pki, latencyMs } = options;
  const now = options.now ?? Date.now();
  const identity = await startManagedIdentityEndpoint({ latencyMs });
  const started: Array<{ close(): Promise<void> }> = [identity];
  try {
    const registries: AcrRegistryEmulator[] = [];
    for (let r = 0; r < estate.options.registries; r++) {
      const repositories: Record<string, AcrTagSeed[]> = {};
      for (const repo of estate.repositories) {
        if (repo.registry !== r) continue;
        repositories[repo.name] = repo.tags.map((t) => ({ name: t.name, digest: t.digest, lastUpdateTime: new Date(now - t.ageHours * 3_600_000).toISOString() }));
      }
      const registry = await startAcrRegistry({
        pki,
        latencyMs,
        validateEntraToken: (token) => identity.validate(token, ACR_RESOURCE),
        repositories,
        ...(options.acrReadsPerSecond ? { readRateLimit: { perSecond: options.acrReadsPerSecond } } : {}),
      });
      started.push(registry);
      registries.push(registry);
    }
    const loginServers = registries.map((r) => r.loginServer);

    const clusters: KubernetesApiHandle[] = [];
    /** When each Kubernetes request was answered, per cluster (same index as its request log). */
    const answeredAt = new Map<RequestLogEntry[], number[]>();
    for (const cluster of estate.clusters) {
      const api = await startKubernetesApi({
        pki,
        latencyMs,
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
      const times: number[] = [];
      answeredAt.set(api.requests, times);
      const push = api.requests.push.bind(api.requests);
      api.requests.push = (...entries: RequestLogEntry[]): number => {
        for (let i = 0; i < entries.length; i++) times.push(performance.now());
        return push(...entries);
      };
    }

    let armResource = '';
    const arm: ArmEmulator = await startArmEmulator({
      pki,
      latencyMs,
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
    started.push(arm);
    armResource = normaliseResource(arm.endpoint);

    const resourceIds = estate.clusters.map(clusterResourceId);
    const logs = (): RequestLogEntry[][] => [identity.requests, arm.requests, ...registries.map((r) => r.requests), ...clusters.map((c) => c.requests)];
    const env: Record<string, string> = {
      ...identity.env,
      NODE_EXTRA_CA_CERTS: pki.caPath,
      CLUSTERS: resourceIds.join(','),
      REGISTRIES: loginServers.join(','),
      // The emulated registries listen on 127.0.0.1, not on an ACR login server.
      ALLOW_ANY_REGISTRY_HOST: 'true',
      ARM_ENDPOINT: arm.endpoint,
      ACR_CONCURRENCY: String(options.acrConcurrency),
      ACR_MAX_RESULTS: String(options.acrMaxResults),
      CLUSTER_TIMEOUT: '30m',
    };
    const count = (log: RequestLogEntry[], from: number, kinds: string[]): number => {
      let n = 0;
      for (let i = from; i < log.length; i++) if (kinds.includes((log[i] as RequestLogEntry).kind)) n++;
      return n;
    };
    return {
      env,
      loginServers,
      resourceIds,
      mark: () => new Map(logs().map((l) => [l, l.length])),
      podPageIntervalMs(since) {
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
      },
      counts(since) {
        const from = (log: RequestLogEntry[]) => since?.get(log) ?? 0;
        const sum = (list: RequestLogEntry[][], kinds: string[]) => list.reduce((n, l) => n + count(l, from(l), kinds), 0);
        const all = (list: RequestLogEntry[][]) => list.reduce((n, l) => n + l.length - from(l), 0);
        const k8s = clusters.map((c) => c.requests);
        const acr = registries.map((r) => r.requests);
        const c: RequestCounts = {
          kubernetesNamespacePages: sum(k8s, ['namespaces-page']),
          kubernetesPodPages: sum(k8s, ['pods-page']),
          kubernetesOther: 0,
          armRequests: all([arm.requests]),
          identityTokens: all([identity.requests]),
          acrExchanges: sum(acr, ['exchange']),
          acrAccessTokens: sum(acr, ['token']),
          acrChallenges: sum(acr, ['challenge']),
          acrTagPages: sum(acr, ['tags-page']),
          acrManifests: sum(acr, ['manifest', 'tag']),
          acrThrottled: sum(acr, ['throttled']),
          acrOther: sum(acr, ['failed', 'unknown']),
          total: all(logs()),
        };
        c.kubernetesOther = all(k8s) - c.kubernetesNamespacePages - c.kubernetesPodPages;
        return c;
      },
      async close() {
        await Promise.all(started.map((s) => s.close()));
      },
    };
  } catch (error) {
    await Promise.all(started.map((s) => s.close()));
    throw error;
  }
}
