/**
 * Which clusters a push makes the app check, and when: pure code, no I/O.
 *
 * - A cluster whose last scan ran the repository is checked once per distinct grace period in
 *   use for the repository there whose tag pattern the pushed tag matches, at push time + that
 *   grace + CHECK_MARGIN_MS: the moment its workloads turn from `pending` to `drift`.
 * - A cluster with no index yet (never scanned since push checks were turned on, or its scans
 *   fail) may run it: it is checked once, at push time + the longest grace in use for the
 *   repository or GRACE_PERIOD, when the tag matches TAG_PATTERN or a pattern in use.
 * - A repository no index row knows (a new one, or one whose workloads were all rolled out
 *   since the last scans) gets every cluster checked once, at push time + GRACE_PERIOD, when the
 *   tag matches TAG_PATTERN: the index may be behind, and a check that finds nothing costs one
 *   listing per cluster.
 * - A tag that matches no pattern in use schedules nothing: the push is dropped, saying why.
 */
import type { ImagePush } from '../model/push.js';
import type { IndexDefaults, IndexEntry } from './pushIndex.js';

/**
 * Added to push time + grace: ACR stamps the tag and the event within milliseconds of each
 * other, so two seconds make sure the check sees the grace period over, not just about to end.
 */
export const CHECK_MARGIN_MS = 2_000;

/** What the index says about one cluster that CLUSTERS covers. */
export type CandidateCluster = { resourceId: string; name: string } & (
  | { state: 'runs'; entry: IndexEntry }
  | { state: 'not-running' }
  | { state: 'unindexed' }
);

export interface PlannedCheck {
  resourceId: string;
  name: string;
  gracePeriodMs: number;
  /** Epoch ms: push time + grace + margin. */
  dueAt: number;
}

export type CheckPlan = { checks: PlannedCheck[]; basis: 'index' | 'unknown repository' } | { dropped: string };

/** Whether a tag matches a glob (images/tagPattern.ts), with the compiled patterns kept by the caller. */
export type TagMatcher = (pattern: string, tag: string) => boolean;

function check(cluster: { resourceId: string; name: string }, push: ImagePush, gracePeriodMs: number): PlannedCheck {
  return { resourceId: cluster.resourceId, name: cluster.name, gracePeriodMs, dueAt: Date.parse(push.pushedAt) + gracePeriodMs + CHECK_MARGIN_MS };
}

/** The grace periods to wait out in one cluster that runs the repository: those whose pattern matches the tag. */
function matchingGraces(entry: IndexEntry, tag: string, matches: TagMatcher): number[] {
  if (entry.overflow) return [entry.longestGraceMs];
  return [...new Set(entry.uses.filter((u) => matches(u.tagPattern, tag)).map((u) => u.gracePeriodMs))].sort((a, b) => a - b);
}

function noPattern(push: ImagePush, patterns: readonly string[]): { dropped: string } {
  const listed = [...new Set(patterns)].slice(0, 5).join(', ');
  return { dropped: `tag ${push.tag} of ${push.registry}/${push.repository} matches no tag pattern in use for it (${listed})` };
}

export function planPushChecks(push: ImagePush, clusters: readonly CandidateCluster[], defaults: IndexDefaults, matches: TagMatcher): CheckPlan {
  const runners = clusters.filter((c): c is CandidateCluster & { state: 'runs' } => c.state === 'runs');
  if (runners.length === 0) {
    if (!matches(defaults.tagPattern, push.tag)) return noPattern(push, [defaults.tagPattern]);
    return { checks: clusters.map((c) => check(c, push, defaults.gracePeriodMs)), basis: 'unknown repository' };
  }
  const checks: PlannedCheck[] = [];
  const matchedGraces: number[] = [];
  for (const cluster of runners) {
    const graces = matchingGraces(cluster.entry, push.tag, matches);
    for (const grace of graces) checks.push(check(cluster, push, grace));
    matchedGraces.push(...graces);
  }
  const unindexed = clusters.filter((c) => c.state === 'unindexed');
  if (unindexed.length && (matchedGraces.length || matches(defaults.tagPattern, push.tag))) {
    const longest = Math.max(defaults.gracePeriodMs, ...matchedGraces);
    checks.push(...unindexed.map((c) => check(c, push, longest)));
  }
  if (checks.length === 0) return noPattern(push, runners.flatMap((c) => c.entry.uses.map((u) => u.tagPattern)));
  return { checks, basis: 'index' };
}
