/**
 * The alert lifecycle, as pure code: given what the state store remembers and what this scan
 * found, what to tell whom.
 *
 * - lagging (drift or stale digest) and unknown, or never delivered → `new`;
 * - lagging toward another target (a newer tag was pushed) than the one announced → `new`;
 * - lagging toward the announced target, last message at least `repeatIntervalMs` ago →
 *   `reminder` (an interval of 0 reminds on every scan, the old behaviour); otherwise silence;
 * - lagging toward the announced target, but its channel setting changed → `reminder` now, in
 *   the new channel, as a top-level message that starts the alert's thread there (the old
 *   thread is left as it is): the alert moves, it is not duplicated;
 * - announced, and now seen in sync, seen running an image not tracked by configuration
 *   (`untracked`: "no longer tracked"), or gone from a cluster that was scanned → `resolved`
 *   (or a silent removal when `notifyResolved` is off, or when nothing had been delivered yet).
 *
 * Only what was seen resolves an alert; "we could not tell this time" holds it (no resolved
 * notice, no reminder): a cluster that failed to scan, a lookup that failed (`error`), a
 * registry that named no release (`no-release`: repository not found, or no release among the
 * newest tags), and a newer tag inside the grace period (`pending`: the rollout may be under
 * way). Any status not named as resolving holds, so a status added later cannot silence an
 * alert by mistake. Items another run has claimed, and whose claim has not expired, are left
 * to that run.
 *
 * Rows the store could not read are treated as absent: a lagging workload at such a row's key
 * overwrites it (on its ETag), and any other such row is removed. Rows of a newer schema are
 * left alone, and their workloads are not alerted by this version (see state/stateStore.ts).
 *
 * A failed delivery leaves the state as it was, so the next plan asks for the same thing again.
 */
import type { AlertAction, AlertRecord } from '../model/alert.js';
import { compareFindings, type ClusterReport, type Finding, type FindingStatus } from '../model/finding.js';
import { alertId, alertKeyOf, alertTarget, isLagging } from './alertKey.js';
import type { ForeignRow, StoredAlert } from './state/stateStore.js';

export interface LifecycleOptions {
  now: Date;
  /** Minimum time between two messages about an unchanged alert; 0 = every scan. */
  repeatIntervalMs: number;
  notifyResolved: boolean;
  /** SLACK_CHANNEL: for findings without a channel. */
  defaultChannel: string;
}

export interface PlannedAlert {
  id: string;
  action: AlertAction;
  /** Channel of a top-level message about it (thread replies go to `record.thread`). */
  channel: string;
  /**
   * For `new` and `reminder`: the record updated with this scan's observation, delivery
   * bookkeeping not yet advanced. For `resolved`: the stored record.
   */
  record: AlertRecord;
  /** The stored record and its ETag, when there is one. */
  previous: StoredAlert | null;
  /** `new` only: the ETag of an unreadable row at this key, which the claim overwrites. */
  overwrites?: string;
  /** `resolved` only: what the container runs now; absent when the workload is gone. */
  current?: Finding;
  /** The name messages show for the cluster (its `name` setting), when it is not the cluster's own. */
  clusterName?: string;
}

export interface AlertPlan {
  deliveries: PlannedAlert[];
  /** Records to delete without a message. */
  silentRemovals: StoredAlert[];
  /** Unreadable rows no lagging workload overwrites: removed. */
  unreadableRemovals: ForeignRow[];
  /** Lagging items whose row a newer schema wrote: left to that version. */
  leftToNewerVersion: number;
  /** Lagging, unchanged, reminder not yet due. */
  unchanged: number;
  /** Records left alone: registry error, no release named, or grace period. */
  held: number;
  /** Items another run has claimed (claim not expired). */
  claimedElsewhere: number;
}

/** Statuses that say the workload no longer lags the alert's release: seen, not guessed. */
const RESOLVING_STATUSES: ReadonlySet<FindingStatus> = new Set(['in-sync', 'untracked']);

interface Observation {
  cluster: string;
  /** The lagging finding, when one of the container's findings lags. */
  lagging?: Finding;
  /** Another finding (in sync, untracked, pending, no release, error) when none lags. */
  other?: Finding;
  hold: boolean;
}

/** Folds a cluster's findings into one observation per alert key (a rollout can show two images). */
function observe(clusters: readonly ClusterReport[]): Map<string, Observation> {
  const observations = new Map<string, Observation>();
  for (const cluster of clusters) {
    if (!cluster.ok) continue;
    for (const finding of [...cluster.findings].sort(compareFindings)) {
      const id = alertId(alertKeyOf(cluster.name, finding));
      const seen = observations.get(id) ?? { cluster: cluster.name, hold: false };
      if (isLagging(finding)) {
        seen.lagging ??= finding;
      } else {
        if (!RESOLVING_STATUSES.has(finding.status)) seen.hold = true;
        if (!seen.other || finding.status === 'in-sync') seen.other = finding;
      }
      observations.set(id, seen);
    }
  }
  return observations;
}

function claimedByAnother(record: AlertRecord, now: Date): boolean {
  return record.claim !== null && Date.parse(record.claim.expiresAt) > now.getTime();
}

export interface PlanInput {
  clusters: readonly ClusterReport[];
  records: readonly StoredAlert[];
  /** Rows the store could not read (treated as absent). */
  unreadable?: readonly ForeignRow[];
  /** Rows a newer schema wrote (left alone). */
  newer?: readonly ForeignRow[];
}

/** What one item comes to: a message, a silent removal, or the count that says why nothing is done. */
type Verdict = { deliver: PlannedAlert } | { remove: StoredAlert } | { skip: 'leftToNewerVersion' | 'unchanged' | 'held' | 'claimedElsewhere' };

/** A lagging item: `new` when never announced or toward another target, `reminder` when due, else null (unchanged). */
function planLagging(
  cluster: string,
  finding: Finding,
  previous: StoredAlert | null,
  options: LifecycleOptions,
): Pick<PlannedAlert, 'action' | 'channel' | 'record'> | null {
  const { now } = options;
  const target = alertTarget(finding);
  const channel = finding.channel ?? options.defaultChannel;
  const prior = previous?.record;
  // An announced alert whose channel setting changed moves: reminded now in the new channel, a new thread there.
  const moved = prior !== undefined && prior.announcedTarget !== null && prior.channel !== channel;
  const record: AlertRecord = previous
    ? { ...previous.record, channel, finding, target, ...(moved ? { thread: null } : {}) }
    : {
        ...alertKeyOf(cluster, finding),
        channel,
        finding,
        target,
        laggingSince: finding.latestUpdatedAt ?? now.toISOString(),
        announcedTarget: null,
        lastSentAt: null,
        thread: null,
        claim: null,
      };
  if (!prior || prior.announcedTarget === null || prior.announcedTarget !== target) return { action: 'new', channel, record };
  if (moved || prior.lastSentAt === null || now.getTime() - Date.parse(prior.lastSentAt) >= options.repeatIntervalMs) return { action: 'reminder', channel, record };
  return null;
}

/** A lagging item whose row this version may write: left to the run that claimed it, unchanged, or planned; `overwrites` is an unreadable row's ETag at its key. */
function laggingVerdict(id: string, seen: Observation & { lagging: Finding }, previous: StoredAlert | null, overwrites: string | undefined, options: LifecycleOptions): Verdict {
  if (previous && claimedByAnother(previous.record, options.now)) return { skip: 'claimedElsewhere' };
  const planned = planLagging(seen.cluster, seen.lagging, previous, options);
  if (planned === null) return { skip: 'unchanged' };
  return { deliver: { id, ...planned, previous, ...(overwrites !== undefined ? { overwrites } : {}) } };
}

/** A stored alert that no longer lags: left to the run that claimed it, held when not seen resolving, else resolved (or removed silently). */
function storedVerdict(id: string, previous: StoredAlert, seen: Observation | undefined, options: LifecycleOptions): Verdict {
  if (claimedByAnother(previous.record, options.now)) return { skip: 'claimedElsewhere' };
  if (seen?.hold) return { skip: 'held' };
  if (previous.record.announcedTarget === null || !options.notifyResolved) return { remove: previous };
  return { deliver: { id, action: 'resolved', channel: previous.record.channel, record: previous.record, previous, ...(seen?.other ? { current: seen.other } : {}) } };
}

/** The plan for one scan, by the rules above. */
export function planAlerts(input: PlanInput, options: LifecycleOptions): AlertPlan {
  const scanned = new Set(input.clusters.filter((c) => c.ok).map((c) => c.name));
  const observations = observe(input.clusters);
  const stored = new Map(input.records.filter((s) => scanned.has(s.record.cluster)).map((s) => [alertId(s.record), s]));
  const unreadable = new Map((input.unreadable ?? []).map((row) => [row.id, row]));
  const newer = new Set((input.newer ?? []).map((row) => row.id));

  const verdicts: Verdict[] = [];
  for (const [id, seen] of observations) {
    const { lagging } = seen;
    if (!lagging) continue;
    if (newer.has(id)) {
      verdicts.push({ skip: 'leftToNewerVersion' });
      continue;
    }
    verdicts.push(laggingVerdict(id, { ...seen, lagging }, stored.get(id) ?? null, unreadable.get(id)?.etag, options));
    unreadable.delete(id);
  }
  for (const [id, previous] of stored) {
    const seen = observations.get(id);
    if (!seen?.lagging) verdicts.push(storedVerdict(id, previous, seen, options));
  }
  const unreadableRemovals = [...unreadable.values()].filter((row) => row.cluster === '' || scanned.has(row.cluster));
  const plan = tally(verdicts, unreadableRemovals);
  // Messages show a cluster by its `name` setting; the alert stays keyed by the cluster's own name.
  const shown = new Map(input.clusters.flatMap((c) => (c.settings && c.settings.name.value !== c.name ? [[c.name, c.settings.name.value] as const] : [])));
  if (shown.size > 0) plan.deliveries = plan.deliveries.map((d) => (shown.has(d.record.cluster) ? { ...d, clusterName: shown.get(d.record.cluster) as string } : d));
  return plan;
}

/** The verdicts gathered into a plan, its deliveries in the order of their records. */
function tally(verdicts: readonly Verdict[], unreadableRemovals: ForeignRow[]): AlertPlan {
  const plan: AlertPlan = { deliveries: [], silentRemovals: [], unreadableRemovals, leftToNewerVersion: 0, unchanged: 0, held: 0, claimedElsewhere: 0 };
  for (const verdict of verdicts) {
    if ('deliver' in verdict) plan.deliveries.push(verdict.deliver);
    else if ('remove' in verdict) plan.silentRemovals.push(verdict.remove);
    else plan[verdict.skip] += 1;
  }
  plan.deliveries.sort((a, b) => compareRecords(a.record, b.record));
  return plan;
}

function compareRecords(a: AlertRecord, b: AlertRecord): number {
  return (
    a.cluster.localeCompare(b.cluster) ||
    a.namespace.localeCompare(b.namespace) ||
    a.workloadKind.localeCompare(b.workloadKind) ||
    a.workloadName.localeCompare(b.workloadName) ||
    a.container.localeCompare(b.container)
  );
}
