/**
 * The push index: which repositories each cluster ran at its last scan, with the tag patterns
 * and grace periods in use for them there. A push to a repository then schedules checks of
 * exactly the clusters that ran it, once per grace period in use. Pure code: what a scan's
 * report says, and what a push needs from it (tablePushIndex.ts keeps it in the app's table).
 *
 * A finding counts when its registry is in REGISTRIES and the registry was asked about it (any
 * status but `untracked`, so a workload whose repository named no release yet counts too), and
 * when it is watched. Its tag pattern and grace period are its own settings when the scan
 * resolved them (`Finding.settings`, per workload), else TAG_PATTERN and GRACE_PERIOD.
 */
import type { ClusterReport, Finding } from '../model/finding.js';

/** A tag pattern and a grace period some workload of a cluster uses for a repository. */
export interface PatternUse {
  tagPattern: string;
  gracePeriodMs: number;
}

/** One repository a cluster ran at its last scan. */
export interface IndexEntry {
  registry: string;
  repository: string;
  /** The distinct patterns and grace periods in use, at most MAX_USES_PER_ENTRY. */
  uses: PatternUse[];
  /** More distinct uses than were kept: every tag may matter, and `longestGraceMs` is the grace to wait. */
  overflow: boolean;
  longestGraceMs: number;
}

/** The index one scan of one cluster writes. */
export interface ClusterIndex {
  /** The cluster's ARM resource ID and the name reports give it. */
  resourceId: string;
  name: string;
  /** When the scan started (epoch ms): rows of earlier scans are not this index. */
  scanAt: number;
  entries: IndexEntry[];
}

/** The global settings a finding without its own uses. */
export interface IndexDefaults {
  tagPattern: string;
  gracePeriodMs: number;
}

/** Bounds a row: a repository used with more distinct settings than this in one cluster is recorded as "any tag, longest grace". */
export const MAX_USES_PER_ENTRY = 16;

/** The tag pattern and grace period a finding was decided with. */
export function patternUseOf(finding: Finding, defaults: IndexDefaults): PatternUse {
  return {
    tagPattern: finding.settings?.tagPattern.value ?? defaults.tagPattern,
    gracePeriodMs: finding.settings?.gracePeriod.ms ?? defaults.gracePeriodMs,
  };
}

/** Whether the finding's workload runs a repository a push to which matters. */
function indexed(finding: Finding, registries: ReadonlySet<string>): finding is Finding & { registry: string; repository: string } {
  if (finding.registry === null || finding.repository === null || !registries.has(finding.registry)) return false;
  if (finding.status === 'untracked') return false;
  return finding.settings?.track.value ?? true;
}

const keyOf = (registry: string, repository: string): string => `${registry}/${repository}`;

/** The entries of one scanned cluster, one per repository, in a stable order. */
export function indexEntriesOf(cluster: ClusterReport, registries: ReadonlySet<string>, defaults: IndexDefaults): IndexEntry[] {
  const byRepository = new Map<string, { registry: string; repository: string; uses: Map<string, PatternUse> }>();
  for (const finding of cluster.findings) {
    if (!indexed(finding, registries)) continue;
    const key = keyOf(finding.registry, finding.repository);
    let entry = byRepository.get(key);
    if (!entry) byRepository.set(key, (entry = { registry: finding.registry, repository: finding.repository, uses: new Map() }));
    const use = patternUseOf(finding, defaults);
    entry.uses.set(`${use.gracePeriodMs} ${use.tagPattern}`, use);
  }
  return [...byRepository.keys()].sort().map((key) => {
    const { registry, repository, uses } = byRepository.get(key) as { registry: string; repository: string; uses: Map<string, PatternUse> };
    const all = [...uses.values()];
    const longestGraceMs = Math.max(...all.map((u) => u.gracePeriodMs));
    const overflow = all.length > MAX_USES_PER_ENTRY;
    return { registry, repository, uses: overflow ? [] : all, overflow, longestGraceMs };
  });
}
