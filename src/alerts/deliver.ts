/**
 * Delivers one scan's alerts: load the state of the clusters that were scanned, plan (see
 * lifecycle.ts), claim each item with a conditional write, post the grouped messages, and only
 * then advance the state. At least once: whatever was not accepted by Slack is released and
 * planned again by the next scan. At most one run per item at a time: a claim is an ETag-checked
 * write that another run loses (it then skips the item); a claim expires after `claimTtlMs`, so a
 * run that died mid-way does not block its items for long.
 *
 * Messages: per channel, one top-level message (in parts when large) with the new items, and
 * the reminders and resolved notices that have no thread; with a bot, reminders and resolved
 * notices are replies in the thread of the alert's first message, one reply per thread. A
 * channel the bot cannot post to falls back to SLACK_CHANNEL, with a line saying why.
 */
import { randomUUID } from 'node:crypto';
import type { Logger } from '../log/logger.js';
import { DEFAULT_RETRY_BUDGET_MS, DEFAULT_RETRY_POLICY, postWithRetry, realSleep, RetryBudget, type RetryPolicy, type Sleep } from '../notify/retry.js';
import { renderAlertMessages, type AlertMessageItem, type MessageLimits } from '../notify/slackBlocks.js';
import { SlackPostError, type PostReceipt, type SlackSender } from '../notify/slackSender.js';
import { normaliseChannel } from '../notify/slackText.js';
import type { ScanReport } from '../report/types.js';
import { createConcurrencyLimit } from '../util/concurrencyLimit.js';
import { planAlerts, type PlannedAlert } from './lifecycle.js';
import type { AlertRecord, SlackThread, StateStore } from './stateStore.js';

export const DEFAULT_CLAIM_TTL_MS = 5 * 60_000;

export interface DeliveryOptions {
  store: StateStore;
  sender: SlackSender;
  /** SLACK_CHANNEL: for findings without a channel, and the fallback channel. */
  defaultChannel: string;
  repeatIntervalMs: number;
  notifyResolved: boolean;
  logger: Logger;
  now?: () => Date;
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

export interface DeliveryResult {
  /** Items Slack accepted (new + reminders + resolved). */
  sent: number;
  new: number;
  reminders: number;
  resolved: number;
  /** Items not delivered; the next scan retries them. */
  failed: number;
  /** Slack messages posted. */
  messages: number;
  /** Items another run had claimed or claimed first. */
  skipped: number;
  /** Lagging items with nothing new and no reminder due. */
  unchanged: number;
  /** Items posted to SLACK_CHANNEL because their channel was unavailable. */
  fallbacks: number;
  /** Records dropped without a message (resolved with NOTIFY_RESOLVED off, or never delivered). */
  removedSilently: number;
  /** Set when the alert state could not be read or written: nothing was sent. */
  error?: string;
}

interface Claimed {
  planned: PlannedAlert;
  /** The claim as written, and its ETag. */
  record: AlertRecord;
  etag: string;
}

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

export async function deliverAlerts(report: ScanReport, options: DeliveryOptions): Promise<DeliveryResult> {
  const { store, sender, logger } = options;
  const clock = options.now ?? (() => new Date());
  const runId = options.runId ?? randomUUID();
  const claimTtlMs = options.claimTtlMs ?? DEFAULT_CLAIM_TTL_MS;
  const retry = {
    policy: { ...DEFAULT_RETRY_POLICY, ...options.retryPolicy },
    budget: new RetryBudget(options.retryBudgetMs ?? DEFAULT_RETRY_BUDGET_MS),
    sleep: options.sleep ?? realSleep,
    logger,
  };
  const result: DeliveryResult = { sent: 0, new: 0, reminders: 0, resolved: 0, failed: 0, messages: 0, skipped: 0, unchanged: 0, fallbacks: 0, removedSilently: 0 };
  const limit = createConcurrencyLimit(8);

  const scanned = report.clusters.filter((c) => c.ok).map((c) => c.name);
  const failedClusters = report.clusters.filter((c) => !c.ok).map((c) => c.name);
  if (failedClusters.length) logger.info('alerts of clusters that failed to scan are kept as they are', { clusters: failedClusters.join(',') });
  if (scanned.length === 0) return result;

  const records = await store.load(scanned);
  const plan = planAlerts(
    { clusters: report.clusters, records },
    { now: clock(), repeatIntervalMs: options.repeatIntervalMs, notifyResolved: options.notifyResolved, defaultChannel: options.defaultChannel },
  );
  result.unchanged = plan.unchanged;
  result.skipped = plan.claimedElsewhere;

  await Promise.all(
    plan.silentRemovals.map((s) =>
      limit(async () => {
        if (await store.remove(s.record, s.etag)) result.removedSilently += 1;
      }),
    ),
  );

  // Claim every item before posting anything: a lost claim means another run has it.
  const claimTime = clock();
  const claim = { owner: runId, expiresAt: new Date(claimTime.getTime() + claimTtlMs).toISOString() };
  /** No new post starts after this: a minute of margin before the claims expire. */
  const postDeadline = claimTime.getTime() + claimTtlMs - Math.min(60_000, claimTtlMs / 5);
  const claimedOrNull = await Promise.all(
    plan.deliveries.map((planned) =>
      limit(async (): Promise<Claimed | null> => {
        const record: AlertRecord = { ...planned.record, claim };
        const etag = planned.previous ? await store.replace(record, planned.previous.etag) : await store.insert(record);
        if (etag === null) {
          result.skipped += 1;
          return null;
        }
        return { planned, record, etag };
      }),
    ),
  );
  const claimed = claimedOrNull.filter((c): c is Claimed => c !== null);
  if (claimed.length === 0) return result;

  // Group: per channel a top-level batch; with threads, one batch per thread.
  const batches = new Map<string, Batch>();
  for (const c of claimed) {
    const thread = sender.threads && c.planned.action !== 'new' ? c.record.thread : null;
    const key = thread ? `thread\u0000${thread.channelId}\u0000${thread.ts}` : `channel\u0000${c.planned.channel}`;
    const batch = batches.get(key) ?? { channel: thread ? thread.channelId : c.planned.channel, thread, items: [] };
    batch.items.push(c);
    batches.set(key, batch);
  }
  const ordered = [...batches.values()].sort(
    (a, b) => Number(a.thread !== null) - Number(b.thread !== null) || a.channel.localeCompare(b.channel) || (a.thread?.ts ?? '').localeCompare(b.thread?.ts ?? ''),
  );

  let fatal: SlackPostError | null = null;

  /** Posts the items as one or more messages; returns the items that failed, with the error. */
  const postItems = async (
    items: Claimed[],
    target: { channel: string; thread: SlackThread | null; note?: string },
    onPosted: (posted: Claimed[], receipt: PostReceipt) => Promise<void>,
  ): Promise<{ failed: Claimed[]; error: SlackPostError | null }> => {
    const claimedBy = new Map(items.map((c) => [messageItem(c), c]));
    const messages = renderAlertMessages([...claimedBy.keys()], {
      now: clock(),
      ...(target.note ? { note: target.note } : {}),
      ...(options.limits ? { limits: options.limits } : {}),
    });
    const failed: Claimed[] = [];
    let error: SlackPostError | null = null;
    for (const message of messages) {
      const partItems = message.items.map((i) => claimedBy.get(i)).filter((c): c is Claimed => c !== undefined);
      if (fatal) {
        failed.push(...partItems);
        continue;
      }
      if (clock().getTime() >= postDeadline) {
        // Too close to the claims' expiry: another run may take these items over, so leave them.
        error ??= new SlackPostError('retryable', 'claim_expiring');
        failed.push(...partItems);
        continue;
      }
      try {
        const receipt = await postWithRetry(
          sender,
          { channel: target.channel, text: message.text, blocks: message.blocks, ...(target.thread ? { threadTs: target.thread.ts } : {}) },
          retry,
        );
        result.messages += 1;
        await onPosted(partItems, receipt);
      } catch (caught) {
        const postError = caught instanceof SlackPostError ? caught : new SlackPostError('retryable', 'unexpected_error');
        if (postError.kind === 'fatal') fatal = postError;
        error = postError;
        failed.push(...partItems);
      }
    }
    return { failed, error };
  };

  /** State after Slack accepted the items: advance (new, reminder) or delete (resolved). */
  const commit = async (items: Claimed[], receipt: PostReceipt, via: { topLevel: boolean; fallback: boolean }): Promise<void> => {
    await Promise.all(
      items.map((c) =>
        limit(async () => {
          const sentAt = clock().toISOString();
          const { action } = c.planned;
          let ok: boolean;
          if (action === 'resolved') {
            ok = await store.remove(c.record, c.etag);
            result.resolved += 1;
          } else {
            const newThread = via.topLevel && receipt.channelId && receipt.ts ? { channelId: receipt.channelId, ts: receipt.ts } : null;
            const next: AlertRecord = {
              ...c.record,
              announcedTarget: action === 'new' ? c.record.target : c.record.announcedTarget,
              lastSentAt: sentAt,
              // A new alert starts a thread; a reminder that had to go top-level starts one too.
              thread: action === 'new' ? newThread : (newThread ?? c.record.thread),
              claim: null,
            };
            ok = (await store.replace(next, c.etag)) !== null;
            if (action === 'new') result.new += 1;
            else result.reminders += 1;
          }
          result.sent += 1;
          if (via.fallback) result.fallbacks += 1;
          if (!ok) logger.warn('alert state changed while this run held its claim (the claim expired?); it may be sent again', { cluster: c.record.cluster, item: c.planned.id });
        }),
      ),
    );
  };

  /** Gives items back after a failed post: the state is as before, and the next scan retries. */
  const release = async (items: Claimed[]): Promise<void> => {
    await Promise.all(
      items.map((c) =>
        limit(async () => {
          const restored: AlertRecord = c.planned.previous ? { ...c.planned.previous.record, claim: null } : { ...c.record, claim: null };
          try {
            await store.replace(restored, c.etag);
          } catch (error) {
            logger.warn('could not release an alert claim; it expires by itself', { item: c.planned.id, reason: (error as Error).message });
          }
        }),
      ),
    );
  };

  for (const batch of ordered) {
    const first = await postItems(batch.items, { channel: batch.channel, thread: batch.thread }, (posted, receipt) =>
      commit(posted, receipt, { topLevel: batch.thread === null, fallback: false }),
    );
    let failed = first.failed;
    const error = first.error;
    const fallbackChannel = options.defaultChannel;
    const canFallBack = error?.kind === 'channel-unavailable' && (batch.thread !== null || normaliseChannel(batch.channel) !== normaliseChannel(fallbackChannel));
    if (failed.length && canFallBack && error && !fatal) {
      const wanted = batch.thread ? `the thread in ${batch.thread.channelId}` : normaliseChannel(batch.channel);
      const note = `Posted in ${normaliseChannel(fallbackChannel)} because acr-aks-sync cannot post to ${wanted}: ${error.code}. Invite the app to that channel, or fix the namespace's channel label.`;
      logger.warn('Slack channel unavailable; posting to SLACK_CHANNEL instead', { channel: batch.channel, code: error.code, fallback: fallbackChannel, items: failed.length });
      const second = await postItems(failed, { channel: fallbackChannel, thread: null, note }, (posted, receipt) =>
        commit(posted, receipt, { topLevel: true, fallback: true }),
      );
      failed = second.failed;
      if (second.error) logger.error('Slack post to the fallback channel failed; the next scan retries', { channel: fallbackChannel, code: second.error.code, items: failed.length });
    } else if (failed.length && error) {
      logger.error('Slack post failed; the next scan retries', { via: sender.kind, channel: batch.channel, code: error.code, items: failed.length });
    }
    if (failed.length) {
      result.failed += failed.length;
      await release(failed);
    }
  }
  return result;
}
