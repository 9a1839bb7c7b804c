/**
 * The push scenario of the benchmark (`npm run bench -- --pushes N`), as pure functions of the
 * estate (estate.ts): which tags are pushed when, which clusters each push must check (those
 * running the repository outside the excluded namespaces: what their last scan indexed), the
 * fewest requests the checks can send, and the latency a timer alone would give the same pushes.
 */
import type { EstateModel, RepositoryModel } from './estate.js';
import { prng, fakeDigest } from './estate.js';

export interface PlannedPush {
  repository: RepositoryModel;
  /** A release newer than every tag of the repository. */
  tag: string;
  digest: string;
  /** When to push, from the start of the scenario. */
  offsetMs: number;
  /** Names of the clusters that run the repository (outside the excluded namespaces). */
  clusters: string[];
}

/** Names of the clusters with a workload running `repository` outside `excluded`. */
export function clustersRunning(estate: EstateModel, repository: number, excluded: ReadonlySet<string>): string[] {
  return estate.clusters
    .filter((c) => c.workloads.some((w) => !excluded.has(w.namespace) && w.containers.some((x) => x.repository === repository)))
    .map((c) => c.name);
}

/**
 * `count` pushes of distinct repositories that some cluster runs, spread over time: one every
 * `spacingMs` on average (uniformly jittered, seeded), so checks of different pushes overlap
 * as they would in an estate where teams release independently.
 */
export function planPushes(estate: EstateModel, count: number, spacingMs: number, excluded: ReadonlySet<string>, seed = 14): PlannedPush[] {
  const random = prng(seed);
  const candidates = estate.repositories.map((r) => ({ repository: r, clusters: clustersRunning(estate, r.index, excluded) })).filter((c) => c.clusters.length > 0);
  const pushes: PlannedPush[] = [];
  let at = 0;
  while (pushes.length < count && candidates.length > 0) {
    const [picked] = candidates.splice(Math.floor(random() * candidates.length), 1);
    if (!picked) break;
    const tag = `prod-${1000 + pushes.length}`;
    pushes.push({ ...picked, tag, digest: fakeDigest(`${picked.repository.name}:${tag}`), offsetMs: Math.round(at) });
    at += spacingMs * (0.5 + random());
  }
  return pushes;
}

/**
 * The fewest requests the checks of `pushes` can send: for each push, one listing of each
 * cluster that runs the repository (its namespace pages, for the channel labels, and its pod
 * pages) and one tag page (the pushed tag is the newest, so it is on the first page).
 */
export function pushRequestsLowerBound(estate: EstateModel, pushes: readonly PlannedPush[], kubernetesPageSize: number): number {
  const byName = new Map(estate.clusters.map((c) => [c.name, c]));
  const listing = (name: string): number => {
    const cluster = byName.get(name);
    if (!cluster) return 0;
    return Math.max(1, Math.ceil(cluster.namespaces.length / kubernetesPageSize)) + Math.max(1, Math.ceil(cluster.runningPods / kubernetesPageSize));
  };
  return pushes.reduce((n, p) => n + p.clusters.reduce((m, c) => m + listing(c), 0) + 1, 0);
}

/** SCAN_SCHEDULE's default: every 5 minutes on the clock (UTC), at :00, :05, … */
export const DEFAULT_TIMER_INTERVAL_MS = 5 * 60_000;

/**
 * Without push checks: the first timer run after push time + grace period starts the scan that
 * finds the drift, and its alert goes out when the scan ends (`scanMs`, as measured).
 */
export function timerOnlyLatencyMs(pushedAt: number, gracePeriodMs: number, scanMs: number, intervalMs = DEFAULT_TIMER_INTERVAL_MS): number {
  const due = pushedAt + gracePeriodMs;
  const nextTick = (Math.floor(due / intervalMs) + 1) * intervalMs;
  return nextTick - due + scanMs;
}

/** The nearest-rank percentile `p` (0-100) of `values`; NaN for none. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] as number;
}
