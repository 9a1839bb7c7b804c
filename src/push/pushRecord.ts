/**
 * What the app remembers of the newest push of each repository and tag, and what it says about
 * the next event for that tag: pure code. Event Grid delivers at least once and in no promised
 * order, so an event may come twice, or after a newer push of the same tag.
 */
import type { ImagePush } from '../model/push.js';

export interface PushRecord {
  eventId: string;
  /** ISO 8601 push time of the event recorded. */
  pushedAt: string;
  /** False while its checks are being queued: a retried event queues them again. */
  scheduled: boolean;
}

/**
 * - `schedule`: a push newer than any recorded for the tag (or the first);
 * - `reschedule`: the recorded event itself, whose checks were not all queued (its invocation
 *   failed and the host retried it);
 * - `dropped`: a duplicate (the recorded event again, or another event for the same push time),
 *   or an out-of-order event (older than the push recorded).
 */
export type PushVerdict = { verdict: 'schedule' | 'reschedule' } | { dropped: string };

export function judgePush(push: ImagePush, recorded: PushRecord | null): PushVerdict {
  if (!recorded) return { verdict: 'schedule' };
  const pushed = Date.parse(push.pushedAt);
  const known = Date.parse(recorded.pushedAt);
  const what = `${push.registry}/${push.repository}:${push.tag}`;
  if (push.eventId === recorded.eventId || pushed === known) {
    if (push.eventId === recorded.eventId && !recorded.scheduled) return { verdict: 'reschedule' };
    return { dropped: `duplicate event ${push.eventId}: the push of ${what} at ${recorded.pushedAt} is already scheduled` };
  }
  if (pushed < known) return { dropped: `out-of-order event: ${what} pushed at ${push.pushedAt} is older than its push at ${recorded.pushedAt}, already recorded` };
  return { verdict: 'schedule' };
}
