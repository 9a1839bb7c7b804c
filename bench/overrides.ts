/**
 * Settings of their own in the benchmark estate, in a realistic share, so that what resolving
 * them costs shows in the figures (README, "Settings per cluster, namespace and workload"):
 *
 * - the second cluster is a staging cluster through CLUSTER_SETTINGS: its pattern `main-*`
 *   (builds of the main branch), its own channel and a 10m grace period;
 * - one workload in ten elsewhere pins a release line with `acr-aks-sync.io/tag-pattern: prod-4*`;
 * - one in thirty opts out (`acr-aks-sync.io/track: "false"`): untracked, looked up for nothing;
 * - one mesh sidecar in five follows `main-*` through `tag-pattern.acr-aks-sync.io/mesh-proxy`,
 *   so sidecar repositories are asked under two patterns (one walk answers both);
 * - one namespace in ten sets its own channel and a 30m grace period with annotations.
 *
 * Overrides are drawn from a PRNG of their own, after the base estate is built, so the base
 * estate (its repositories, workloads and replicas) is the one measured before them.
 */
import { compileTagPattern } from '../src/images/tagPattern.js';
import { prng, SYSTEM_NAMESPACE, type ContainerModel, type EstateModel, type RepositoryModel, type WorkloadModel } from './estate.js';

/** TAG_PATTERN of the benchmark's scan: the product's default. */
export const BENCH_TAG_PATTERN = 'prod-*';
export const STAGING_SETTINGS = { tagPattern: 'main-*', slackChannel: 'staging-alerts', gracePeriod: '10m' } as const;
const PINNED_PATTERN = 'prod-4*';
const SIDECAR_PATTERN = 'main-*';

const matchers = new Map<string, (tag: string) => boolean>();
function matcher(pattern: string): (tag: string) => boolean {
  let matches = matchers.get(pattern);
  if (!matches) matchers.set(pattern, (matches = compileTagPattern(pattern)));
  return matches;
}

/** Index of the repository's newest tag matching `pattern`, or null (TAG_PATTERN's is the repository's `newestRelease`). */
export function newestMatchIndex(repo: RepositoryModel, pattern: string): number | null {
  if (pattern === BENCH_TAG_PATTERN) return repo.newestRelease;
  const index = repo.tags.findIndex((t) => matcher(pattern)(t.name));
  return index === -1 ? null : index;
}

/** The container, running the newest tag matching `pattern` or (a quarter of the time) an older one; none listed: no release. */
function onPattern(container: ContainerModel, repo: RepositoryModel, pattern: string, random: () => number): ContainerModel {
  const matching = repo.tags.filter((t) => matcher(pattern)(t.name));
  if (matching.length === 0) {
    const tag = `${pattern.replace(/\*$/, '')}old`;
    return { ...container, pattern, tag, digest: `sha256:${'0'.repeat(64)}`, expected: 'no-release' };
  }
  const older = matching.length > 1 && random() < 0.25;
  const tag = older ? (matching[1 + Math.floor(random() * (matching.length - 1))] as (typeof matching)[number]) : (matching[0] as (typeof matching)[number]);
  return { ...container, pattern, tag: tag.name, digest: tag.digest, expected: older ? 'drift' : 'in-sync' };
}

function retarget(estate: EstateModel, workload: WorkloadModel, pattern: string, random: () => number, only?: string): void {
  workload.containers = workload.containers.map((c) => {
    if (c.repository === undefined || (only !== undefined && c.name !== only)) return c;
    return onPattern(c, estate.repositories[c.repository] as RepositoryModel, pattern, random);
  });
}

function optOut(workload: WorkloadModel): void {
  workload.annotations = { ...workload.annotations, 'acr-aks-sync.io/track': 'false' };
  workload.containers = workload.containers.map((c) => ({ ...c, watched: false, expected: 'untracked' }));
}

/** Adds the overrides above to a built estate (in place). */
export function addOverrides(estate: EstateModel): void {
  const random = prng(estate.options.seed ^ 0x5e771c);
  estate.clusterSettings = {};
  estate.clusters.forEach((cluster, c) => {
    cluster.namespaces.forEach((ns, i) => {
      if (i % 10 === 5) ns.annotations = { 'acr-aks-sync.io/slack-channel': `${ns.name}-releases`, 'acr-aks-sync.io/grace-period': '30m' };
    });
    const staging = c === 1;
    if (staging) (estate.clusterSettings as Record<string, unknown>)[cluster.name] = STAGING_SETTINGS;
    for (const workload of cluster.workloads) {
      if (workload.namespace === SYSTEM_NAMESPACE) continue;
      if (staging) retarget(estate, workload, STAGING_SETTINGS.tagPattern, random);
      const draw = random();
      if (staging ? draw < 1 / 30 : draw >= 0.1 && draw < 0.1 + 1 / 30) {
        optOut(workload);
        continue;
      }
      if (!staging && draw < 0.1) {
        workload.annotations = { 'acr-aks-sync.io/tag-pattern': PINNED_PATTERN };
        retarget(estate, workload, PINNED_PATTERN, random);
      }
      if (workload.containers.some((k) => k.name === 'mesh-proxy' && k.repository !== undefined) && random() < 0.2) {
        workload.annotations = { ...workload.annotations, 'tag-pattern.acr-aks-sync.io/mesh-proxy': SIDECAR_PATTERN };
        retarget(estate, workload, SIDECAR_PATTERN, random, 'mesh-proxy');
      }
    }
  });
}

/** How much of the estate has settings of its own, for the report. */
export function overrideCounts(estate: EstateModel): { workloads: number; annotatedWorkloads: number; optedOutWorkloads: number; annotatedNamespaces: number; configuredClusters: number } {
  const workloads = estate.clusters.flatMap((c) => c.workloads.filter((w) => w.namespace !== SYSTEM_NAMESPACE));
  return {
    workloads: workloads.length,
    annotatedWorkloads: workloads.filter((w) => w.annotations).length,
    optedOutWorkloads: workloads.filter((w) => w.annotations?.['acr-aks-sync.io/track'] === 'false').length,
    annotatedNamespaces: estate.clusters.reduce((n, c) => n + c.namespaces.filter((ns) => ns.annotations).length, 0),
    configuredClusters: Object.keys(estate.clusterSettings ?? {}).length,
  };
}
