/**
 * Posting a delivery's batches: each batch as one or more messages, each part Slack accepted
 * committed at once; a channel the bot cannot post to falls back to SLACK_CHANNEL with a line
 * saying why; what was not accepted is released for the next scan. A fatal failure (an invalid
 * token or webhook) stops every later post of the delivery, and no post starts once the claims
 * are close to expiring (another run may then take the items over).
 */
import type { SlackThread } from '../model/alert.js';
import { postWithRetry, type RetryContext } from '../notify/retry.js';
import { renderAlertMessages, type AlertMessageItem, type MessageLimits, type RenderedMessage } from '../notify/slackBlocks.js';
import { asSlackPostError } from '../notify/slackErrors.js';
import { SlackPostError, type SlackSender } from '../notify/slackSender.js';
import { normaliseChannel } from '../notify/slackText.js';
import type { Batch } from './batches.js';
import { commit, release, type Claimed, type PostedVia, type StateWrites } from './claims.js';
import { sumCounts, type DeliveryCounts, type DeliveryResult } from './deliveryResult.js';

/** What posting a delivery's batches uses, besides the state writes. */
export interface PostContext extends StateWrites {
  sender: SlackSender;
  retry: RetryContext;
  /** SLACK_CHANNEL: where items go when their channel is unavailable. */
  defaultChannel: string;
  limits?: Partial<MessageLimits>;
  /** No new post starts after this (epoch ms): a margin before the claims expire. */
  postDeadline: number;
}

/** A failure no later post can get past (an invalid token or webhook), once there was one. */
type Fatal = SlackPostError | null;

interface PostTarget {
  channel: string;
  thread: SlackThread | null;
  /** A line above the message (why it is in the fallback channel). */
  note?: string;
}

/** What posting some items came to: what was counted, the items Slack did not take and why. */
interface Posted {
  counts: DeliveryResult;
  failed: Claimed[];
  error: SlackPostError | null;
  fatal: Fatal;
}

/** Posts the batches in order and adds up what they did. */
export async function postBatches(batches: readonly Batch[], context: PostContext): Promise<DeliveryResult> {
  const counts: DeliveryCounts[] = [];
  let fatal: Fatal = null;
  for (const batch of batches) {
    const delivered = await postBatch(batch, fatal, context);
    counts.push(delivered.counts);
    fatal = delivered.fatal;
  }
  return sumCounts(...counts);
}

/** Posts one batch, falls back to SLACK_CHANNEL when its channel is unavailable, and gives back what failed. */
async function postBatch(batch: Batch, fatal: Fatal, context: PostContext): Promise<{ counts: DeliveryResult; fatal: Fatal }> {
  const { logger, sender } = context;
  const first = await postItems(batch.items, { channel: batch.channel, thread: batch.thread }, { topLevel: batch.thread === null, fallback: false }, fatal, context);
  let fellBack: Posted | null = null;
  if (first.failed.length && first.error && !first.fatal && canFallBack(batch, first.error, context.defaultChannel)) {
    fellBack = await postToFallback(batch, first.failed, first.error, context);
  } else if (first.failed.length && first.error) {
    logger.error('Slack post failed; the next scan retries', { via: sender.kind, channel: batch.channel, code: first.error.code, items: first.failed.length });
  }
  const last = fellBack ?? first;
  return { counts: sumCounts(first.counts, fellBack?.counts ?? {}, await giveBack(last, context)), fatal: last.fatal };
}

/** The items Slack did not take: counted as not delivered, with Slack's reason, and released for the next scan. */
async function giveBack(posted: Posted, context: PostContext): Promise<DeliveryResult> {
  const items = posted.failed.length;
  if (items === 0) return sumCounts();
  return sumCounts({ failed: items, failures: [{ stage: 'post', reason: posted.error?.code ?? 'unknown_error', items }] }, await release(posted.failed, context));
}

/** Items refused because their channel is unavailable go to SLACK_CHANNEL, unless that is where they were refused. */
function canFallBack(batch: Batch, error: SlackPostError, fallbackChannel: string): boolean {
  return error.kind === 'channel-unavailable' && (batch.thread !== null || normaliseChannel(batch.channel) !== normaliseChannel(fallbackChannel));
}

async function postToFallback(batch: Batch, items: Claimed[], error: SlackPostError, context: PostContext): Promise<Posted> {
  const { logger, defaultChannel: fallbackChannel } = context;
  const wanted = batch.thread ? `the thread in ${batch.thread.channelId}` : normaliseChannel(batch.channel);
  const note = `Posted in ${normaliseChannel(fallbackChannel)} because acr-aks-sync cannot post to ${wanted}: ${error.code}. Invite the app to that channel, or fix the namespace's channel label.`;
  logger.warn('Slack channel unavailable; posting to SLACK_CHANNEL instead', { channel: batch.channel, code: error.code, fallback: fallbackChannel, items: items.length });
  const posted = await postItems(items, { channel: fallbackChannel, thread: null, note }, { topLevel: true, fallback: true }, null, context);
  if (posted.error) logger.error('Slack post to the fallback channel failed; the next scan retries', { channel: fallbackChannel, code: posted.error.code, items: posted.failed.length });
  return posted;
}

function messageItem(c: Claimed): AlertMessageItem {
  const { planned } = c;
  return {
    action: planned.action,
    cluster: planned.clusterName ?? planned.record.cluster,
    finding: planned.record.finding,
    ...(planned.current ? { current: planned.current } : {}),
    laggingSince: planned.record.laggingSince,
  };
}

/** Posts the items as one or more messages, committing each part Slack accepted; gives back the items that failed, with the error. */
async function postItems(items: Claimed[], target: PostTarget, via: PostedVia, fatalBefore: Fatal, context: PostContext): Promise<Posted> {
  const claimedBy = new Map(items.map((c) => [messageItem(c), c]));
  const messages = renderAlertMessages([...claimedBy.keys()], {
    now: new Date(context.now()),
    ...(target.note ? { note: target.note } : {}),
    ...(context.limits ? { limits: context.limits } : {}),
  });
  const committed: DeliveryCounts[] = [];
  const failed: Claimed[] = [];
  let error: SlackPostError | null = null;
  let fatal = fatalBefore;
  for (const message of messages) {
    const part = message.items.map((i) => claimedBy.get(i)).filter((c): c is Claimed => c !== undefined);
    if (fatal) {
      failed.push(...part);
      continue;
    }
    if (context.now() >= context.postDeadline) {
      // Too close to the claims' expiry: another run may take these items over, so leave them.
      error ??= new SlackPostError('retryable', 'claim_expiring');
      failed.push(...part);
      continue;
    }
    const posted = await postPart(message, part, target, via, context);
    if ('counts' in posted) {
      committed.push(posted.counts);
      continue;
    }
    error = posted.error;
    if (error.kind === 'fatal') fatal = error;
    failed.push(...part);
  }
  return { counts: sumCounts(...committed), failed, error: fatal ?? error, fatal };
}

/** Posts one message and commits its items once Slack accepted it; the error when it did not. */
async function postPart(message: RenderedMessage, items: Claimed[], target: PostTarget, via: PostedVia, context: PostContext): Promise<{ counts: DeliveryResult } | { error: SlackPostError }> {
  const post = { channel: target.channel, text: message.text, blocks: message.blocks, ...(target.thread ? { threadTs: target.thread.ts } : {}) };
  try {
    const receipt = await postWithRetry(context.sender, post, context.retry);
    return { counts: sumCounts({ messages: 1 }, await commit(items, receipt, via, context)) };
  } catch (caught) {
    return { error: asSlackPostError(caught) };
  }
}
