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
 * notices are replies in the thread of the alert's first message, one reply per thread. A
 * channel the bot cannot post to falls back to SLACK_CHANNEL, with a line saying why.
 */
import { randomUUID } from 'node:crypto';
import type { Logger } from '../log/logger.js';
import type { SlackThread } from '../model/alert.js';
import { systemClock, type Clock } from '../model/clock.js';
import type { ScanReport } from '../model/finding.js';
import { DEFAULT_RETRY_BUDGET_MS, DEFAULT_RETRY_POLICY, postWithRetry, realSleep, RetryBudget, type RetryContext, type RetryPolicy, type Sleep } from '../notify/retry.js';
import { renderAlertMessages, type AlertMessageItem, type MessageLimits } from '../notify/slackBlocks.js';
import { SlackPostError, type SlackSender } from '../notify/slackSender.js';
import { normaliseChannel } from '../notify/slackText.js';
import { createConcurrencyLimit } from '../util/concurrencyLimit.js';
import { AlertStateWriter, type Claimed, type PostedVia } from './claims.js';
import { emptyDeliveryResult, recordFailure, type DeliveryResult } from './deliveryResult.js';
import { planAlerts } from './lifecycle.js';
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
}

/** A delivery's outcome; see deliveryResult.ts. */
export type { DeliveryResult } from './deliveryResult.js';

interface Batch {
  /** Where to post: a channel, plus a thread for replies. */
  channel: string;
  thread: SlackThread | null;
  items: Claimed[];
}

function messageItem(c: Claimed): AlertMessageItem {
  const { planned } = c;
  return {
    action: planned.action,
    cluster: planned.record.cluster,
    finding: planned.record.finding,
    ...(planned.current ? { current: planned.current } : {}),
    laggingSince: planned.record.laggingSince,
  };
}

/** Per channel a top-level batch; with threads, one batch per thread; top-level batches first. */
function batchesOf(claimed: readonly Claimed[], threads: boolean): Batch[] {
  const batches = new Map<string, Batch>();
  for (const c of claimed) {
    const thread = threads && c.planned.action !== 'new' ? c.record.thread : null;
    const key = thread ? `thread\u0000${thread.channelId}\u0000${thread.ts}` : `channel\u0000${c.planned.channel}`;
    const batch = batches.get(key) ?? { channel: thread ? thread.channelId : c.planned.channel, thread, items: [] };
    batch.items.push(c);
    batches.set(key, batch);
  }
  return [...batches.values()].sort(
    (a, b) => Number(a.thread !== null) - Number(b.thread !== null) || a.channel.localeCompare(b.channel) || (a.thread?.ts ?? '').localeCompare(b.thread?.ts ?? ''),
  );
}

export async function deliverAlerts(report: ScanReport, options: DeliveryOptions): Promise<DeliveryResult> {
  const result = emptyDeliveryResult();
  const { store, logger } = options;
  const scanned = report.clusters.filter((c) => c.ok).map((c) => c.name);
  const failedClusters = report.clusters.filter((c) => !c.ok).map((c) => c.name);
  if (failedClusters.length) logger.info('alerts of clusters that failed to scan are kept as they are', { clusters: failedClusters.join(',') });
  if (scanned.length === 0) return result;

  let started = false;
  const whole = async (): Promise<void> => {
    started = true;
    let snapshot: StateSnapshot;
    try {
      snapshot = await store.load(scanned);
    } catch (error) {
      // Without the state, sending would repeat every alert on every scan: send nothing this time.
      stopped(error, 'alert state could not be read');
      return;
    }
    reportForeignRows(snapshot, result, logger);
    await new AlertDelivery(options, result).deliver(report, snapshot);
  };
  const stopped = (error: unknown, what: string): void => {
    const reason = error instanceof Error ? error.message : String(error);
    result.error = `${what} (${store.description}), nothing was sent: ${reason}`;
    logger.error(`${what}; nothing was sent, the next scan retries`, { state: store.description, reason });
  };
  if (!store.exclusive) {
    await whole();
  } else {
    try {
      await store.exclusive(whole);
    } catch (error) {
      // The store could not be had (another scan holds the file): nothing was read or sent.
      if (started) throw error;
      stopped(error, 'alert state could not be locked');
    }
  }
  return result;
}

/** Warns about each row the store could not use, and counts them (see state/stateStore.ts). */
function reportForeignRows(snapshot: StateSnapshot, result: DeliveryResult, logger: Logger): void {
  result.unreadableRows = snapshot.unreadable.length;
  result.newerRows = snapshot.newer.length;
  for (const row of snapshot.unreadable) logger.warn('alert state row unreadable; treated as absent (overwritten or removed)', { row: row.id, problem: row.problem });
  for (const row of snapshot.newer) logger.warn('alert state row written by a newer acr-aks-sync; left alone, its workload is not alerted by this version', { row: row.id, problem: row.problem });
}

/** One delivery after the state was read: plan, claim, post, commit or release. */
class AlertDelivery {
  private readonly now: Clock;
  private readonly retry: RetryContext;
  private readonly state: AlertStateWriter;
  /** Set by a failure that no other post can get past (an invalid token or webhook). */
  private fatal: SlackPostError | null = null;
  /** No new post starts after this: a margin before the claims expire. */
  private postDeadline = Number.POSITIVE_INFINITY;

  constructor(
    private readonly options: DeliveryOptions,
    private readonly result: DeliveryResult,
  ) {
    this.now = options.now ?? systemClock;
    this.retry = {
      policy: { ...DEFAULT_RETRY_POLICY, ...options.retryPolicy },
      budget: new RetryBudget(options.retryBudgetMs ?? DEFAULT_RETRY_BUDGET_MS),
      sleep: options.sleep ?? realSleep,
      logger: options.logger,
    };
    this.state = new AlertStateWriter({ store: options.store, logger: options.logger, result, now: this.now, limit: createConcurrencyLimit(8) });
  }

  async deliver(report: ScanReport, snapshot: StateSnapshot): Promise<void> {
    const { options, result } = this;
    const plan = planAlerts(
      { clusters: report.clusters, records: snapshot.alerts, unreadable: snapshot.unreadable, newer: snapshot.newer },
      { now: new Date(this.now()), repeatIntervalMs: options.repeatIntervalMs, notifyResolved: options.notifyResolved, defaultChannel: options.defaultChannel },
    );
    result.unchanged = plan.unchanged;
    result.skipped = plan.claimedElsewhere;
    await this.state.removeSilently(plan.silentRemovals);
    await this.state.removeUnreadable(plan.unreadableRemovals);

    // Claim every item before posting anything: a lost claim means another run has it.
    const claimTtlMs = options.claimTtlMs ?? DEFAULT_CLAIM_TTL_MS;
    const claimTime = this.now();
    this.postDeadline = claimTime + claimTtlMs - Math.min(60_000, claimTtlMs / 5);
    const claimed = await this.state.claim(plan.deliveries, { owner: options.runId ?? randomUUID(), expiresAt: new Date(claimTime + claimTtlMs).toISOString() });
    for (const batch of batchesOf(claimed, options.sender.threads)) await this.deliverBatch(batch);
  }

  /** Posts one batch, falls back to SLACK_CHANNEL when its channel is unavailable, and gives back what failed. */
  private async deliverBatch(batch: Batch): Promise<void> {
    const { options, result } = this;
    const { logger, sender } = options;
    const first = await this.postItems(batch.items, { channel: batch.channel, thread: batch.thread }, { topLevel: batch.thread === null, fallback: false });
    let { failed, error } = first;
    const fallbackChannel = options.defaultChannel;
    const canFallBack = error?.kind === 'channel-unavailable' && (batch.thread !== null || normaliseChannel(batch.channel) !== normaliseChannel(fallbackChannel));
    if (failed.length && canFallBack && error && !this.fatal) {
      const wanted = batch.thread ? `the thread in ${batch.thread.channelId}` : normaliseChannel(batch.channel);
      const note = `Posted in ${normaliseChannel(fallbackChannel)} because acr-aks-sync cannot post to ${wanted}: ${error.code}. Invite the app to that channel, or fix the namespace's channel label.`;
      logger.warn('Slack channel unavailable; posting to SLACK_CHANNEL instead', { channel: batch.channel, code: error.code, fallback: fallbackChannel, items: failed.length });
      ({ failed, error } = await this.postItems(failed, { channel: fallbackChannel, thread: null, note }, { topLevel: true, fallback: true }));
      if (error) logger.error('Slack post to the fallback channel failed; the next scan retries', { channel: fallbackChannel, code: error.code, items: failed.length });
    } else if (failed.length && error) {
      logger.error('Slack post failed; the next scan retries', { via: sender.kind, channel: batch.channel, code: error.code, items: failed.length });
    }
    if (failed.length) {
      result.failed += failed.length;
      recordFailure(result, 'post', error?.code ?? 'unknown_error', failed.length);
      await this.state.release(failed);
    }
  }

  /** Posts the items as one or more messages, committing each part Slack accepted; returns the items that failed, with the error. */
  private async postItems(
    items: Claimed[],
    target: { channel: string; thread: SlackThread | null; note?: string },
    via: PostedVia,
  ): Promise<{ failed: Claimed[]; error: SlackPostError | null }> {
    const claimedBy = new Map(items.map((c) => [messageItem(c), c]));
    const messages = renderAlertMessages([...claimedBy.keys()], {
      now: new Date(this.now()),
      ...(target.note ? { note: target.note } : {}),
      ...(this.options.limits ? { limits: this.options.limits } : {}),
    });
    const failed: Claimed[] = [];
    let error: SlackPostError | null = null;
    for (const message of messages) {
      const partItems = message.items.map((i) => claimedBy.get(i)).filter((c): c is Claimed => c !== undefined);
      if (this.fatal) {
        failed.push(...partItems);
        continue;
      }
      if (this.now() >= this.postDeadline) {
        // Too close to the claims' expiry: another run may take these items over, so leave them.
        error ??= new SlackPostError('retryable', 'claim_expiring');
        failed.push(...partItems);
        continue;
      }
      try {
        const post = { channel: target.channel, text: message.text, blocks: message.blocks, ...(target.thread ? { threadTs: target.thread.ts } : {}) };
        const receipt = await postWithRetry(this.options.sender, post, this.retry);
        this.result.messages += 1;
        await this.state.commit(partItems, receipt, via);
      } catch (caught) {
        const postError = caught instanceof SlackPostError ? caught : new SlackPostError('retryable', 'unexpected_error');
        if (postError.kind === 'fatal') this.fatal = postError;
        error = postError;
        failed.push(...partItems);
      }
    }
    return { failed, error: this.fatal ?? error };
  }
}
