/**
 * One ImagePushed event, from the queue item to the queued checks:
 *
 * 1. decode and check the event (imagePushedEvent.ts); what cannot be used is dropped;
 * 2. judge it against the tag's push record (pushRecord.ts): a duplicate or an out-of-order
 *    event is dropped;
 * 3. read the index of the clusters CLUSTERS covers and plan the checks (planChecks.ts); a tag
 *    that matches no pattern in use is dropped;
 * 4. record the push as being scheduled (a conditional write: of two instances handling the same
 *    tag at once, one goes on), queue the checks (scheduleChecks.ts), mark it scheduled.
 *
 * A drop is a result, logged by the caller in one line, never an exception. A failure of the
 * table or the queue throws: the host retries the message (a retry of an event whose checks were
 * not all queued queues them again; a check queued twice alerts once, through the alert table's
 * claims), and after QUEUE_MAX_DEQUEUE_COUNT attempts moves it to the poison queue.
 */
import type { ResourceClusterTarget } from '../config/clusterTargets.js';
import type { Config } from '../config/config.js';
import { targetOfMessage } from '../fanout/clusterFanout.js';
import { tagPatternMatchers } from '../images/tagPattern.js';
import type { Clock } from '../model/clock.js';
import type { ImagePush } from '../model/push.js';
import { decodeImagePushed, type DroppedEvent } from './imagePushedEvent.js';
import { planPushChecks, type CandidateCluster, type PlannedCheck, type TagMatcher } from './planChecks.js';
import { judgePush } from './pushRecord.js';
import type { IndexedCluster, PushIndexStore } from './tablePushIndex.js';
import type { PushRecordStore } from './tablePushRecords.js';

export interface PushDeps {
  config: Pick<Config, 'registries' | 'clusters' | 'tagPattern' | 'gracePeriodMs'>;
  index: PushIndexStore;
  records: PushRecordStore;
  /** Queues the checks (scheduleChecks.ts). */
  schedule: (push: ImagePush, checks: readonly PlannedCheck[]) => Promise<void>;
  /** The clusters of CLUSTERS' `subscription:` entries that no index covers yet (ARM). */
  discover: (subscriptionIds: readonly string[]) => Promise<ResourceClusterTarget[]>;
  now: Clock;
}

export type PushOutcome = DroppedEvent | { push: ImagePush; checks: PlannedCheck[]; basis: string };

/** Compiled patterns, kept for the process: a few patterns are in use, and events keep coming. An index row of a pattern this version refuses matches nothing. */
const matcher = tagPatternMatchers('matches-nothing');
const matches: TagMatcher = (pattern, tag) => matcher(pattern)(tag);

export async function handleImagePushed(item: unknown, deps: PushDeps): Promise<PushOutcome> {
  const push = decodeImagePushed(item, deps.config.registries);
  if ('dropped' in push) return push;
  // A lost race on the record means another instance wrote it meanwhile: judge again with what it wrote.
  for (let attempt = 1; ; attempt++) {
    const outcome = await scheduleOnce(push, deps);
    if (outcome !== 'lost race') return outcome;
    if (attempt === 3) throw new Error(`the push record of ${push.registry}/${push.repository}:${push.tag} kept changing under this event; retried by the host`);
  }
}

async function scheduleOnce(push: ImagePush, deps: PushDeps): Promise<PushOutcome | 'lost race'> {
  const stored = await deps.records.read(push);
  const judged = judgePush(push, stored?.record ?? null);
  if ('dropped' in judged) return { dropped: judged.dropped, level: 'info' };
  const plan = planPushChecks(push, await candidateClusters(push, deps), deps.config, matches);
  if ('dropped' in plan) return { dropped: plan.dropped, level: 'info' };
  const record = { eventId: push.eventId, pushedAt: push.pushedAt, scheduled: false };
  const etag = judged.verdict === 'reschedule' && stored ? stored.etag : await deps.records.write(push, record, stored?.etag);
  if (etag === null) return 'lost race';
  await deps.schedule(push, plan.checks);
  // Lost here means a newer push of the tag was recorded meanwhile: it schedules its own checks.
  await deps.records.write(push, { ...record, scheduled: true }, etag);
  return { push, checks: plan.checks, basis: plan.basis };
}

/**
 * Every cluster CLUSTERS covers, with what its index says about the repository: the resource
 * IDs it names, the indexed clusters of its subscriptions, and, for a subscription none of whose
 * clusters is indexed yet, the clusters ARM lists for it.
 */
async function candidateClusters(push: ImagePush, deps: PushDeps): Promise<CandidateCluster[]> {
  const { config } = deps;
  const indexed = new Map((await deps.index.clusters()).map((c) => [c.resourceId.toLowerCase(), c]));
  const targets = new Map<string, { resourceId: string; name: string }>();
  for (const t of config.clusters) if (t.kind === 'resource') targets.set(t.resourceId.toLowerCase(), { resourceId: t.resourceId, name: t.displayName });
  const coveredSubscriptions = new Set<string>();
  for (const [id, c] of indexed) {
    if (targets.has(id) || 'refused' in targetOfMessage(config, { clusterResourceId: c.resourceId, name: c.name, enqueuedAt: '' })) continue;
    targets.set(id, { resourceId: c.resourceId, name: c.name });
    coveredSubscriptions.add(c.resourceId.split('/')[2]?.toLowerCase() ?? '');
  }
  const unindexedSubscriptions = config.clusters.flatMap((t) => (t.kind === 'subscription' && !coveredSubscriptions.has(t.subscriptionId.toLowerCase()) ? [t.subscriptionId] : []));
  if (unindexedSubscriptions.length) for (const t of await deps.discover(unindexedSubscriptions)) if (!targets.has(t.resourceId.toLowerCase())) targets.set(t.resourceId.toLowerCase(), { resourceId: t.resourceId, name: t.displayName });
  return Promise.all([...targets].map(([id, target]) => candidate(target, indexed.get(id), push, deps.index)));
}

async function candidate(target: { resourceId: string; name: string }, indexed: IndexedCluster | undefined, push: ImagePush, index: PushIndexStore): Promise<CandidateCluster> {
  if (!indexed) return { ...target, state: 'unindexed' };
  const entry = await index.entry(indexed, push.registry, push.repository);
  if (entry === 'unreadable') return { ...target, state: 'unindexed' };
  return entry ? { ...target, state: 'runs', entry } : { ...target, state: 'not-running' };
}
