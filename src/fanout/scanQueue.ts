/**
 * The scan queue of SCAN_FANOUT=queue: one message per cluster, written by the timer function
 * and read by the queue-triggered `scanCluster` function, so that the Functions platform spreads
 * the clusters over as many instances as the queue's length calls for.
 *
 * The queue lives in the app's own storage account, reached like the Functions host reaches it
 * (the `AzureWebJobsStorage` connection the trigger binding names): a connection string in
 * `AzureWebJobsStorage` (locally, Azurite), else the identity-based
 * `AzureWebJobsStorage__queueServiceUri` / `AzureWebJobsStorage__accountName` with
 * `DefaultAzureCredential` (the managed identity; client id from `AzureWebJobsStorage__clientId`
 * or AZURE_CLIENT_ID), which needs "Storage Queue Data Contributor" on the account.
 *
 * Messages are plain JSON text: host.json sets the queues' `messageEncoding` to `none`, because
 * Event Grid writes its events to PUSH_QUEUE as plain text (see push/). A message queued by an
 * older version (base64 of the JSON) is still read.
 *
 * Besides the timer's messages (reason `timer`, the default), the imagePushed function queues
 * checks (reason `push`): the same cluster scan, limited to the pushed repository, with the push
 * it follows, made visible at push time + grace period.
 */
import type { TokenCredential } from '@azure/identity';
import { QueueClient, QueueServiceClient } from '@azure/storage-queue';
import { z } from 'zod';
import { systemClock, type Clock } from '../model/clock.js';
import type { PushCheck } from '../model/push.js';
import { resolveAppStorage } from '../storage/appStorage.js';
import { STORAGE_OPERATION_TIMEOUT_MS, storageOperationSignal } from '../storage/storageTimeouts.js';
import { queueItemValue } from '../util/queueItem.js';

export interface ClusterScanMessage {
  /** The AKS cluster's ARM resource ID. */
  clusterResourceId: string;
  /** What reports and alerts call it (the alias from CLUSTERS, else the cluster name). */
  name: string;
  /** ISO 8601: when the timer (or the imagePushed function) queued it. */
  enqueuedAt: string;
  /** Why: the timer's scan of every cluster (absent: `timer`), or a check after a push. */
  reason?: 'timer' | 'push';
  /** With reason `push`: the push the check follows. */
  push?: PushCheck;
}

/** The fan-out queue in the app's own storage account (see appStorage.ts). */
export function createScanQueueClient(
  env: Record<string, string | undefined>,
  queueName: string,
  options: { credential?: TokenCredential } = {},
): QueueClient {
  const storage = resolveAppStorage(env, 'queue', 'SCAN_FANOUT=queue', options);
  return 'connectionString' in storage
    ? new QueueClient(storage.connectionString, queueName)
    : new QueueServiceClient(storage.serviceUrl, storage.credential).getQueueClient(queueName);
}

/** The message text as it goes on the queue: the JSON itself (host.json: `messageEncoding: none`). */
export function encodeClusterScanMessage(message: ClusterScanMessage): string {
  return JSON.stringify(message);
}

const isoTime = z.iso.datetime({ offset: true });
const pushCheckSchema = z.object({
  eventId: z.string().min(1).max(200),
  registry: z.string().min(1).max(300),
  repository: z.string().min(1).max(300),
  tag: z.string().min(1).max(200),
  pushedAt: isoTime,
  gracePeriodMs: z.number().int().min(0),
  dueAt: isoTime,
});

const messageSchema = z
  .object({
    clusterResourceId: z.string().min(1),
    name: z.string().min(1).max(200),
    enqueuedAt: isoTime,
    reason: z.enum(['timer', 'push']).optional(),
    push: pushCheckSchema.optional(),
  })
  .refine((m) => (m.reason === 'push') === (m.push !== undefined), { message: 'a push check names its push, and only a push check does', path: ['push'] });

/**
 * The message as the queue trigger delivers it: an object (the host parsed the JSON), a string
 * of JSON, or base64 of JSON (queued by an older version). Throws with a one-line reason when it
 * is not a cluster scan message.
 */
export function decodeClusterScanMessage(item: unknown): ClusterScanMessage {
  const value = queueItemValue(item);
  const parsed = messageSchema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(`the queue message is not a cluster scan message: ${issue ? `${issue.path.join('.') || '(message)'}: ${issue.message}` : 'invalid'}`);
  }
  return parsed.data;
}

/**
 * Puts one message per cluster on the queue (creating the queue if it is missing). Messages go
 * out a few at a time; resolves with the number queued, rejects on the first failure (the
 * timer run then fails and the next one queues every cluster again). Each operation, its retries
 * included, ends after `timeoutMs`.
 */
export async function enqueueClusterScans(
  queue: QueueClient,
  clusters: ReadonlyArray<{ resourceId: string; name: string }>,
  now: Clock = systemClock,
  timeoutMs = STORAGE_OPERATION_TIMEOUT_MS,
): Promise<number> {
  await queue.createIfNotExists({ abortSignal: storageOperationSignal(timeoutMs) });
  const enqueuedAt = new Date(now()).toISOString();
  const pending = [...clusters];
  const worker = async (): Promise<void> => {
    for (let c = pending.shift(); c; c = pending.shift()) {
      await queue.sendMessage(encodeClusterScanMessage({ clusterResourceId: c.resourceId, name: c.name, enqueuedAt }), { abortSignal: storageOperationSignal(timeoutMs) });
    }
  };
  await Promise.all(Array.from({ length: Math.min(8, clusters.length) }, worker));
  return clusters.length;
}
