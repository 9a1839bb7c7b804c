/**
 * Queues the checks a push calls for: one `scanCluster` message (reason `push`) per check on
 * SCAN_QUEUE, invisible until its due time (the queue's initial visibility delay), so nothing
 * waits in memory and a check survives a restart of the app.
 */
import type { QueueClient } from '@azure/storage-queue';
import { encodeClusterScanMessage } from '../fanout/scanQueue.js';
import type { Clock } from '../model/clock.js';
import type { ImagePush } from '../model/push.js';
import { STORAGE_OPERATION_TIMEOUT_MS, storageOperationSignal } from '../storage/storageTimeouts.js';
import type { PlannedCheck } from './planChecks.js';

/** The longest initial visibility delay Azure Queue storage accepts (7 days); a later check comes this early. */
export const MAX_VISIBILITY_SECONDS = 7 * 86_400;
/** How long a check waits to be taken once visible, before the queue drops it (the timer covers what is dropped). */
const CHECK_TIME_TO_LIVE_SECONDS = 86_400;

/** Seconds until the check is due, rounded up (never early), within the queue's limits. */
export function visibilityDelaySeconds(dueAt: number, now: number): number {
  return Math.min(MAX_VISIBILITY_SECONDS, Math.max(0, Math.ceil((dueAt - now) / 1000)));
}

/**
 * Sends the checks' messages, all at once; rejects on the first failure (the caller's invocation
 * fails and is retried). Each send, its retries included, ends after `timeoutMs`.
 */
export async function scheduleChecks(queue: QueueClient, push: ImagePush, checks: readonly PlannedCheck[], now: Clock, timeoutMs = STORAGE_OPERATION_TIMEOUT_MS): Promise<void> {
  const at = now();
  const enqueuedAt = new Date(at).toISOString();
  await Promise.all(
    checks.map((c) => {
      const visibilityTimeout = visibilityDelaySeconds(c.dueAt, at);
      const text = encodeClusterScanMessage({
        clusterResourceId: c.resourceId,
        name: c.name,
        enqueuedAt,
        reason: 'push',
        push: { eventId: push.eventId, registry: push.registry, repository: push.repository, tag: push.tag, pushedAt: push.pushedAt, gracePeriodMs: c.gracePeriodMs, dueAt: new Date(c.dueAt).toISOString() },
      });
      return queue.sendMessage(text, { visibilityTimeout, messageTimeToLive: visibilityTimeout + CHECK_TIME_TO_LIVE_SECONDS, abortSignal: storageOperationSignal(timeoutMs) });
    }),
  );
}
