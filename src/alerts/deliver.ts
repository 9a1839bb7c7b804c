/**
 * Delivers one scan's alerts: load the state of the clusters that were scanned, plan (see
 * lifecycle.ts), claim each item with a conditional write, post the grouped messages, and only
 * then advance the state. At least once: whatever was not accepted by Slack is released and
 * planned again by the next scan. At most one run per item at a time: a claim is an ETag-checked
 * write that another run loses (it then skips the item); a claim expires after `claimTtlMs`, so a
 * run that died mid-way does not block its items for long.
 *
 * Failing to read the state stops the delivery before anything is sent (without it every alert
 * would be repeated on every scan). After that, one item's failure is that item's: a claim,
 * commit or release the store refuses, or a post Slack refuses, is counted and logged for its
 * items, and every other item is still delivered (see claims.ts, deliveryResult.ts).
 *
 * Messages: per channel, one top-level message (in parts when large) with the new items, and
 * the reminders and resolved notices that have no thread; with a bot, reminders and resolved
 * notices are replies in the thread of the alert's first message, one reply per thread
 * (batches.ts). A channel the bot cannot post to falls back to SLACK_CHANNEL, with a line
 * saying why (postBatches.ts).
 *
 * The steps, each a function with its inputs and the counts it returns, added up at the end:
 * hold the store (`withStoreHeld`), load (`deliverScanned`), plan (`planDelivery`), remove and
 * claim (claims.ts), group (batches.ts), post with fallback, commit and release (postBatches.ts).
 */
import { randomUUID } from 'node:crypto';
import type { Logger } from '../log/logger.js';
import type { AlertRecord } from '../model/alert.js';
import { systemClock, type Clock } from '../model/clock.js';
import type { ScanReport } from '../model/finding.js';
import { DEFAULT_RETRY_BUDGET_MS, DEFAULT_RETRY_POLICY, realSleep, RetryBudget, type RetryPolicy, type Sleep } from '../notify/retry.js';
import type { MessageLimits } from '../notify/slackBlocks.js';
import type { SlackSender } from '../notify/slackSender.js';
import { createConcurrencyLimit } from '../util/concurrencyLimit.js';
import { batchesOf } from './batches.js';
import { claimItems, removeSilently, removeUnreadable, type StateWrites } from './claims.js';
import { emptyDeliveryResult, sumCounts, type DeliveryCounts, type DeliveryResult } from './deliveryResult.js';
import { planAlerts, type AlertPlan } from './lifecycle.js';
import { postBatches } from './postBatches.js';
import type { StateSnapshot, StateStore } from './state/stateStore.js';

export const DEFAULT_CLAIM_TTL_MS = 5 * 60_000;

export interface DeliveryOptions {
  store: StateStore;
  sender: SlackSender;
  /** SLACK_CHANNEL: for findings without a channel, and the fallback channel. */
  defaultChannel: string;
  repeatIntervalMs: number;
  notifyResolved: boolean;
  logger: Logger;
  /** The clock: claims, reminders' intervals, push ages in messages (default the system's). */
  now?: Clock;
  /** How long a claim keeps other runs off an item (default 5 minutes). */
  claimTtlMs?: number;
  /** Waits between retries (tests pass a fake). */
  sleep?: Sleep;
  retryPolicy?: Partial<RetryPolicy>;
  /** Total retry waiting per scan (default 2 minutes). */
  retryBudgetMs?: number;
  limits?: Partial<MessageLimits>;
  /** Identifies this run in claims (random by default). */
  runId?: string;
  /**
   * The alerts this delivery may touch, when the scan looked at some workloads only (a check
   * after a push): records outside it are neither resolved nor removed, and unreadable rows are
   * left to a full scan. All when absent.
   */
  scope?: (record: AlertRecord) => boolean;
}

/** A delivery's outcome; see deliveryResult.ts. */
export type { DeliveryResult } from './deliveryResult.js';

export async function deliverAlerts(report: ScanReport, options: DeliveryOptions): Promise<DeliveryResult> {
  const scanned = report.clusters.filter((c) => c.ok).map((c) => c.name);
  const failedClusters = report.clusters.filter((c) => !c.ok).map((c) => c.name);
  if (failedClusters.length) options.logger.info('alerts of clusters that failed to scan are kept as they are', { clusters: failedClusters.join(',') });
  if (scanned.length === 0) return emptyDeliveryResult();
  return withStoreHeld(options, () => deliverScanned(report, scanned, options));
}

/**
 * Runs the delivery with the store to itself when the store needs that (a file). Such a store
 * throws without running the delivery when it cannot be had (see state/stateStore.ts): then
 * nothing was read or sent. The delivery's own errors pass through as they are.
 */
async function withStoreHeld(options: DeliveryOptions, deliver: () => Promise<DeliveryResult>): Promise<DeliveryResult> {
  const { store } = options;
  if (!store.exclusive) return deliver();
  let held: { result: DeliveryResult } | { threw: unknown };
  try {
    held = await store.exclusive(() => deliver().then((result) => ({ result }), (threw: unknown) => ({ threw })));
  } catch (error) {
    return stopped(options, error, 'alert state could not be locked');
  }
  if ('threw' in held) throw held.threw;
  return held.result;
}

/** A delivery that stops before anything is sent: why, logged and in the result. */
function stopped({ store, logger }: DeliveryOptions, error: unknown, what: string): DeliveryResult {
  const reason = error instanceof Error ? error.message : String(error);
  logger.error(`${what}; nothing was sent, the next scan retries`, { state: store.description, reason });
  return { ...emptyDeliveryResult(), error: `${what} (${store.description}), nothing was sent: ${reason}` };
}

/** Loads the state of the scanned clusters, then plans and delivers. */
async function deliverScanned(report: ScanReport, scanned: readonly string[], options: DeliveryOptions): Promise<DeliveryResult> {
  let snapshot: StateSnapshot;
  try {
    snapshot = await options.store.load(scanned);
  } catch (error) {
    // Without the state, sending would repeat every alert on every scan: send nothing this time.
    return stopped(options, error, 'alert state could not be read');
  }
  const foreign = foreignRows(snapshot, options.logger);
  const { scope } = options;
  const scoped = scope ? { ...snapshot, alerts: snapshot.alerts.filter((stored) => scope(stored.record)) } : snapshot;
  return sumCounts(foreign, await deliverPlanned(report, scoped, options));
}

/** Warns about each row the store could not use, and counts them (see state/stateStore.ts). */
function foreignRows(snapshot: StateSnapshot, logger: Logger): DeliveryCounts {
  for (const row of snapshot.unreadable) logger.warn('alert state row unreadable; treated as absent (overwritten or removed)', { row: row.id, problem: row.problem });
  for (const row of snapshot.newer) logger.warn('alert state row written by a newer acr-aks-sync; left alone, its workload is not alerted by this version', { row: row.id, problem: row.problem });
  return { unreadableRows: snapshot.unreadable.length, newerRows: snapshot.newer.length };
}

/** What this scan owes Slack, given the state read (see lifecycle.ts). */
function planDelivery(report: ScanReport, snapshot: StateSnapshot, options: DeliveryOptions, now: Clock): AlertPlan {
  return planAlerts(
    { clusters: report.clusters, records: snapshot.alerts, unreadable: snapshot.unreadable, newer: snapshot.newer },
    { now: new Date(now()), repeatIntervalMs: options.repeatIntervalMs, notifyResolved: options.notifyResolved, defaultChannel: options.defaultChannel },
  );
}

/** Plans, drops what needs no message, claims every item before posting anything (a lost claim means another run has it), then posts. */
async function deliverPlanned(report: ScanReport, snapshot: StateSnapshot, options: DeliveryOptions): Promise<DeliveryResult> {
  const now = options.now ?? systemClock;
  const plan = planDelivery(report, snapshot, options, now);
  const writes: StateWrites = { store: options.store, logger: options.logger, now, limit: createConcurrencyLimit(8) };
  const removed = await removeSilently(plan.silentRemovals, writes);
  const unreadableRemoved = await removeUnreadable(options.scope ? [] : plan.unreadableRemovals, writes);

  const claimTtlMs = options.claimTtlMs ?? DEFAULT_CLAIM_TTL_MS;
  const claimTime = now();
  const claims = await claimItems(plan.deliveries, { owner: options.runId ?? randomUUID(), expiresAt: new Date(claimTime + claimTtlMs).toISOString() }, writes);
  const posted = await postBatches(batchesOf(claims.claimed, options.sender.threads), {
    ...writes,
    sender: options.sender,
    retry: { policy: { ...DEFAULT_RETRY_POLICY, ...options.retryPolicy }, budget: new RetryBudget(options.retryBudgetMs ?? DEFAULT_RETRY_BUDGET_MS), sleep: options.sleep ?? realSleep, logger: options.logger },
    defaultChannel: options.defaultChannel,
    ...(options.limits ? { limits: options.limits } : {}),
    postDeadline: claimTime + claimTtlMs - Math.min(60_000, claimTtlMs / 5),
  });
  return sumCounts({ unchanged: plan.unchanged, skipped: plan.claimedElsewhere }, removed, unreadableRemoved, claims.counts, posted);
}
