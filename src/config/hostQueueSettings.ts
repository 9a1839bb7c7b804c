/**
 * host.json's `extensions.queues`, as the code relies on them (test/functions/hostJson.test.ts
 * checks that host.json says the same, and the host stand-in in emulators/ behaves so):
 *
 * - `messageEncoding: "none"`: Event Grid writes events to a queue as plain text, and the
 *   default (base64) would fail every one of them before our code runs; our own messages are
 *   plain JSON too (fanout/scanQueue.ts).
 * - `maxPollingInterval` of 2 s: an idle queue is polled at most this far apart (the default,
 *   one minute, would add up to a minute to every push check). The cost: one queue read per
 *   2 s per queue per running instance while idle, about 1.3 million reads a month per queue
 *   (2.6 million for SCAN_QUEUE and PUSH_QUEUE on one instance), billed as storage transactions.
 * - `maxDequeueCount` of 5 (the host's default, written out): a message whose invocation fails
 *   five times is moved to `<queue>-poison`.
 */
export const QUEUE_MESSAGE_ENCODING = 'none';
export const QUEUE_MAX_POLLING_INTERVAL_MS = 2_000;
export const QUEUE_MAX_DEQUEUE_COUNT = 5;

/** Where the host moves a message that failed QUEUE_MAX_DEQUEUE_COUNT times. */
export function poisonQueueName(queue: string): string {
  return `${queue}-poison`;
}
