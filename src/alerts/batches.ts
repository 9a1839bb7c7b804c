/**
 * Which claimed items go into one Slack message: per channel, one top-level message with the
 * new items and the reminders and resolved notices that have no thread; with a bot (threads),
 * the reminders and resolved notices of an alert go as one reply in the thread of its first
 * message. Pure.
 */
import type { SlackThread } from '../model/alert.js';
import type { Claimed } from './claims.js';

export interface Batch {
  /** Where to post: a channel, plus a thread for replies. */
  channel: string;
  thread: SlackThread | null;
  items: Claimed[];
}

/** Per channel a top-level batch; with threads, one batch per thread; top-level batches first. */
export function batchesOf(claimed: readonly Claimed[], threads: boolean): Batch[] {
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
