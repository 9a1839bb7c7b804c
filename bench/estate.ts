/**
 * The synthetic estate of the benchmark, as plain data: clusters with namespaces and running
 * pods (folded into workloads with replicas), registries with repositories and tags. It is
 * deterministic (a seeded PRNG), so two runs with the same flags scan the same estate and the
 * lower bounds (bounds.ts) can be computed from it exactly.
 *
 * Shape, per cluster: `namespacesPerCluster` team namespaces plus kube-system (excluded by
 * default, its pods still travel over the wire); Deployments of 1–9 replicas (5 on average), so
 * the number of workloads grows with the number of pods; each pod runs one app container from a
 * tracked repository, a quarter of the workloads also a mesh sidecar (a few shared
 * repositories), one in ten an untracked Docker Hub image. Most workloads run the newest
 * release (in sync), about a quarter an older one (drift).
 *
 * Per repository: `tagsPerRepository` tags, newest first, `prod-N` releases interleaved with
 * `main-…` and `pr-…` builds. Where the newest release sits varies: mostly among the newest
 * 100 tags (first page), some deeper (later pages), a few repositories with no release among
 * their tags at all (their pods run an old release: untracked, "no tag matching").
 */
import type { FindingStatus } from '../src/model/finding.js';

export interface EstateOptions {
  clusters: number;
  podsPerCluster: number;
  repositories: number;
  registries: number;
  tagsPerRepository: number;
  namespacesPerCluster?: number;
  seed?: number;
}

export interface TagModel {
  name: string;
  digest: string;
  /** Hours before the estate's reference time. */
  ageHours: number;
}

export interface RepositoryModel {
  index: number;
  registry: number;
  name: string;
  /** Newest first (the order `orderby=timedesc` returns). */
  tags: TagModel[];
  /** Index in `tags` of the newest release, or null when none of the tags is a release. */
  newestRelease: number | null;
}

export interface ContainerModel {
  name: string;
  /** A tracked repository, or an external image (Docker Hub). */
  repository?: number;
  external?: string;
  tag: string;
  digest: string;
  /** What the scan should decide for this container. */
  expected: FindingStatus;
  /** The tag pattern its settings give it (default TAG_PATTERN's `prod-*`; overrides.ts). */
  pattern?: string;
  /** False when its workload opted out: it is looked up for nothing (default true). */
  watched?: boolean;
}

export interface WorkloadModel {
  namespace: string;
  name: string;
  replicas: number;
  hash: string;
  containers: ContainerModel[];
  /** Its pods' acr-aks-sync annotations (overrides.ts). */
  annotations?: Record<string, string>;
}

export interface ClusterModel {
  name: string;
  namespaces: Array<{ name: string; labels: Record<string, string>; annotations?: Record<string, string> }>;
  /** In API order (namespace, then name): the order pages are served in. */
  workloads: WorkloadModel[];
  runningPods: number;
}

export interface EstateModel {
  options: Required<EstateOptions>;
  repositories: RepositoryModel[];
  clusters: ClusterModel[];
  /** CLUSTER_SETTINGS, keyed by cluster name (overrides.ts). */
  clusterSettings?: Record<string, object>;
}

export const SYSTEM_NAMESPACE = 'kube-system';
const SIDECAR_REPOSITORIES = 4;

/** mulberry32: small, fast, good enough for test data. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A deterministic `sha256:` digest derived from a label (FNV-1a rounds). */
export function fakeDigest(label: string): string {
  let hex = '';
  for (let i = 0; hex.length < 64; i += 1) {
    let h = 2166136261 ^ i;
    for (let k = 0; k < label.length; k++) h = Math.imul(h ^ label.charCodeAt(k), 16777619) >>> 0;
    hex += h.toString(16).padStart(8, '0');
  }
  return `sha256:${hex.slice(0, 64)}`;
}

function pad(n: number, width: number): string {
  return String(n).padStart(width, '0');
}

function buildRepository(index: number, registries: number, tagCount: number, random: () => number): RepositoryModel {
  const team = index % 25;
  const name = `team-${pad(team, 2)}/svc-${pad(index, 4)}`;
  // Where the newest release sits: 60% on the first 100 tags, 25% 100-199, 12% 200-299, 3% none.
  const u = random();
  const depth = u < 0.6 ? Math.floor(random() * 100) : u < 0.85 ? 100 + Math.floor(random() * 100) : u < 0.97 ? 200 + Math.floor(random() * 100) : -1;
  const newestRelease = depth < 0 || tagCount === 0 ? null : Math.min(depth, tagCount - 1);
  const tags: TagModel[] = [];
  let release = 500;
  for (let i = 0; i < tagCount; i++) {
    const isRelease = newestRelease !== null && i >= newestRelease && (i - newestRelease) % 7 === 0;
    const tagName = isRelease ? `prod-${release--}` : i % 3 === 0 ? `pr-${9000 - i}` : `main-${fakeDigest(`${name}#${i}`).slice(7, 15)}`;
    tags.push({ name: tagName, digest: fakeDigest(`${name}:${tagName}`), ageHours: 1 + i });
  }
  return { index, registry: index % registries, name, tags, newestRelease };
}

/** The release tags of a repository, newest first. */
function releases(repo: RepositoryModel): TagModel[] {
  return repo.tags.filter((t) => t.name.startsWith('prod-'));
}

function containerFor(repo: RepositoryModel, name: string, random: () => number): ContainerModel {
  const rel = releases(repo);
  if (rel.length === 0) {
    // No release among the tags: the pods run an old release that is no longer listed.
    return { name, repository: repo.index, tag: 'prod-1', digest: fakeDigest(`${repo.name}:prod-1`), expected: 'no-release' };
  }
  const older = rel.length > 1 && random() < 0.25;
  const tag = older ? (rel[1 + Math.floor(random() * (rel.length - 1))] as TagModel) : (rel[0] as TagModel);
  return { name, repository: repo.index, tag: tag.name, digest: tag.digest, expected: older ? 'drift' : 'in-sync' };
}

export function buildEstate(input: EstateOptions): EstateModel {
  const options: Required<EstateOptions> = { namespacesPerCluster: 20, seed: 20261124, ...input };
  const random = prng(options.seed);
  const repositories = Array.from({ length: options.repositories }, (_, i) => buildRepository(i, options.registries, options.tagsPerRepository, random));
  const sidecars = repositories.slice(0, Math.min(SIDECAR_REPOSITORIES, repositories.length));
  const clusters: ClusterModel[] = [];
  for (let c = 0; c < options.clusters; c++) {
    const namespaces = Array.from({ length: options.namespacesPerCluster }, (_, i) => ({
      name: `team-${pad(i, 3)}`,
      labels: i % 3 === 0 ? { slackChannel: `team-${pad(i, 3)}-alerts` } : ({} as Record<string, string>),
    }));
    namespaces.push({ name: SYSTEM_NAMESPACE, labels: {} });
    const systemPods = Math.min(options.podsPerCluster, Math.max(1, Math.round(options.podsPerCluster * 0.01)));
    const workloads: WorkloadModel[] = [];
    let pods = 0;
    let w = 0;
    const appPods = options.podsPerCluster - systemPods;
    while (pods < appPods) {
      const replicas = Math.min(appPods - pods, 1 + Math.floor(random() * 9));
      const namespace = namespaces[w % options.namespacesPerCluster]?.name ?? 'default';
      const containers: ContainerModel[] = [];
      if (repositories.length > 0 && random() >= 0.1) {
        const repo = repositories[Math.floor(random() * repositories.length)] as RepositoryModel;
        containers.push(containerFor(repo, 'app', random));
      } else {
        const external = `docker.io/library/nginx`;
        containers.push({ name: 'app', external, tag: '1.27', digest: fakeDigest(`${external}:1.27`), expected: 'untracked' });
      }
      if (sidecars.length > 0 && random() < 0.25) {
        containers.push(containerFor(sidecars[Math.floor(random() * sidecars.length)] as RepositoryModel, 'mesh-proxy', random));
      }
      workloads.push({ namespace, name: `wl-${pad(c, 3)}-${pad(w, 6)}`, replicas, hash: fakeDigest(`c${c}w${w}`).slice(7, 17), containers });
      pods += replicas;
      w += 1;
    }
    const platform = sidecars[0];
    workloads.push({
      namespace: SYSTEM_NAMESPACE,
      name: 'coredns',
      replicas: systemPods,
      hash: fakeDigest(`c${c}coredns`).slice(7, 17),
      containers: [
        platform
          ? { ...containerFor(platform, 'coredns', random), expected: 'untracked' }
          : { name: 'coredns', external: 'docker.io/coredns/coredns', tag: '1.11', digest: fakeDigest('coredns'), expected: 'untracked' },
      ],
    });
    // API order: by namespace, then by pod name (workload names sort like the pod names).
    workloads.sort((a, b) => (a.namespace < b.namespace ? -1 : a.namespace > b.namespace ? 1 : a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    clusters.push({ name: `aks-bench-${pad(c, 3)}`, namespaces, workloads, runningPods: pods + systemPods });
  }
  return { options, repositories, clusters };
}

/** The image string a container's pods run. */
export function imageOf(estate: EstateModel, loginServers: readonly string[], container: ContainerModel): { image: string; repositoryRef: string } {
  if (container.repository === undefined) {
    return { image: `${container.external}:${container.tag}`, repositoryRef: container.external ?? '' };
  }
  const repo = estate.repositories[container.repository] as RepositoryModel;
  const ref = `${loginServers[repo.registry]}/${repo.name}`;
  return { image: `${ref}:${container.tag}`, repositoryRef: ref };
}

/** Finding counts the scan should report (excluded namespaces give none). */
export function expectedStatuses(estate: EstateModel): Partial<Record<FindingStatus, number>> {
  const counts: Partial<Record<FindingStatus, number>> = {};
  for (const cluster of estate.clusters) {
    for (const w of cluster.workloads) {
      if (w.namespace === SYSTEM_NAMESPACE) continue;
      for (const c of w.containers) counts[c.expected] = (counts[c.expected] ?? 0) + 1;
    }
  }
  return counts;
}
