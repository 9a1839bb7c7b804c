/**
 * The alert state a delivery writes, one item at a time: claim before posting, then advance
 * (commit) what Slack accepted or give back (release) what it did not, and drop records that
 * need no message. Every write is conditional (see state/stateStore.ts); a lost race is not an error.
 *
 * One item's failure is that item's: a write that fails for any other reason (an HTTP 400 for
 * a value the store will not take, a network error) is counted and logged at error level with
 * the item's id, and every other item goes on. Each step returns what it counted.
 */
import type { Logger } from '../log/logger.js';
import type { AlertClaim, AlertRecord } from '../model/alert.js';
import type { Clock } from '../model/clock.js';
import type { PostReceipt } from '../notify/slackSender.js';
import { alertId } from './alertKey.js';
import type { DeliveryCounts, DeliveryStage } from './deliveryResult.js';
import type { PlannedAlert } from './lifecycle.js';
import type { ForeignRow, StateStore, StoredAlert } from './state/stateStore.js';

export interface Claimed {
  planned: PlannedAlert;
  /** The claim as written, and its ETag. */
  record: AlertRecord;
  etag: string;
}

/** What the state writes of one delivery use. */
export interface StateWrites {
  store: StateStore;
  logger: Logger;
  now: Clock;
  /** Bounds the store operations in flight. */
  limit: <T>(task: () => Promise<T>) => Promise<T>;
}

/** How the message that carried the items was posted. */
export interface PostedVia {
  /** A top-level message (its `ts` starts a thread), not a thread reply. */
  topLevel: boolean;
  /** Posted to SLACK_CHANNEL because the item's channel was unavailable. */
  fallback: boolean;
}

/** One item's write: what the store answered, or why it failed. */
type Written<T> = { ok: true; value: T } | { ok: false; reason: string };

/** Runs `write` for each item, a bounded number at a time; the outcomes in the items' order, each failure logged with its item. */
function writeEach<T, R>(writes: StateWrites, stage: DeliveryStage, items: readonly T[], idOf: (item: T) => string, write: (item: T) => Promise<R>): Promise<Written<R>[]> {
  return Promise.all(
    items.map((item) =>
      writes.limit(async (): Promise<Written<R>> => {
        try {
          return { ok: true, value: await write(item) };
        } catch (error) {
          const reason = error instanceof Error ? error.message : String(error);
          writes.logger.error(`alert state: ${stage} failed for one item; the other items go on`, { item: idOf(item), reason });
          return { ok: false, reason };
        }
      }),
    ),
  );
}

/** Each failed write is a state error, counted by stage and reason. */
function stateErrors(stage: DeliveryStage, outcomes: readonly Written<unknown>[]): Pick<DeliveryCounts, 'stateErrors' | 'failures'> {
  const reasons = outcomes.flatMap((o) => (o.ok ? [] : [o.reason]));
  return { stateErrors: reasons.length, failures: reasons.map((reason) => ({ stage, reason, items: 1 })) };
}

/** Deletes records that need no message (resolved silently, or never delivered and over). */
export async function removeSilently(records: readonly StoredAlert[], writes: StateWrites): Promise<DeliveryCounts> {
  const outcomes = await writeEach(writes, 'remove', records, (s) => alertId(s.record), (s) => writes.store.remove(s.record, s.etag));
  return { removedSilently: outcomes.filter((o) => o.ok && o.value).length, ...stateErrors('remove', outcomes) };
}

/** Removes rows the store could not read and no lagging workload overwrites. */
export async function removeUnreadable(rows: readonly ForeignRow[], writes: StateWrites): Promise<DeliveryCounts> {
  const outcomes = await writeEach(writes, 'remove', rows, (row) => row.id, (row) => writes.store.remove({ id: row.id }, row.etag));
  return stateErrors('remove', outcomes);
}

/** Claims each planned item, in the plan's order; those another run holds are skipped, those that fail are counted as not delivered. */
export async function claimItems(deliveries: readonly PlannedAlert[], claim: AlertClaim, writes: StateWrites): Promise<{ claimed: Claimed[]; counts: DeliveryCounts }> {
  const { store } = writes;
  const outcomes = await writeEach(
    writes,
    'claim',
    deliveries,
    (planned) => planned.id,
    async (planned) => {
      const record: AlertRecord = { ...planned.record, claim };
      const over = planned.previous?.etag ?? planned.overwrites;
      return { planned, record, etag: over !== undefined ? await store.replace(record, over) : await store.insert(record) };
    },
  );
  const errors = stateErrors('claim', outcomes);
  return {
    claimed: outcomes.flatMap((o) => (o.ok && o.value.etag !== null ? [{ ...o.value, etag: o.value.etag }] : [])),
    counts: { skipped: outcomes.filter((o) => o.ok && o.value.etag === null).length, failed: errors.stateErrors, ...errors },
  };
}

/** The record after Slack accepted a new item or a reminder: announced, sent now, its thread, no claim. */
function committedRecord(c: Claimed, receipt: PostReceipt, via: PostedVia, sentAt: number): AlertRecord {
  const { action } = c.planned;
  const newThread = via.topLevel && receipt.channelId && receipt.ts ? { channelId: receipt.channelId, ts: receipt.ts } : null;
  return {
    ...c.record,
    announcedTarget: action === 'new' ? c.record.target : c.record.announcedTarget,
    lastSentAt: new Date(sentAt).toISOString(),
    // A new alert starts a thread; a reminder that had to go top-level starts one too.
    thread: action === 'new' ? newThread : (newThread ?? c.record.thread),
    claim: null,
  };
}

/** State after Slack accepted the items: advance (new, reminder) or delete (resolved). */
export async function commit(items: readonly Claimed[], receipt: PostReceipt, via: PostedVia, writes: StateWrites): Promise<DeliveryCounts> {
  const { store, logger, now } = writes;
  const outcomes = await writeEach(
    writes,
    'commit',
    items,
    (c) => c.planned.id,
    async (c) => {
      const ok = c.planned.action === 'resolved' ? await store.remove(c.record, c.etag) : (await store.replace(committedRecord(c, receipt, via, now()), c.etag)) !== null;
      if (!ok) logger.warn('alert state changed while this run held its claim (the claim expired?); it may be sent again', { cluster: c.record.cluster, item: c.planned.id });
    },
  );
  const actions = items.map((c) => c.planned.action);
  return {
    sent: items.length,
    new: actions.filter((a) => a === 'new').length,
    reminders: actions.filter((a) => a === 'reminder').length,
    resolved: actions.filter((a) => a === 'resolved').length,
    fallbacks: via.fallback ? items.length : 0,
    ...stateErrors('commit', outcomes),
  };
}

/** Gives items back after a failed post: the state is as before, and the next scan retries. */
export async function release(items: readonly Claimed[], writes: StateWrites): Promise<DeliveryCounts> {
  // A release that fails is counted; the claim still expires by itself, so the next scan after that retries the item.
  const outcomes = await writeEach(
    writes,
    'release',
    items,
    (c) => c.planned.id,
    (c) => writes.store.replace({ ...(c.planned.previous?.record ?? c.record), claim: null }, c.etag),
  );
  return stateErrors('release', outcomes);
}
