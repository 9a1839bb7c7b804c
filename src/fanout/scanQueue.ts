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
 * Messages are JSON, base64-encoded: the queue trigger's default `messageEncoding` is base64,
 * and the host hands the decoded JSON to the handler as an object.
 */
import { DefaultAzureCredential, type TokenCredential } from '@azure/identity';
import { QueueClient, QueueServiceClient } from '@azure/storage-queue';
import { z } from 'zod';

export interface ClusterScanMessage {
  /** The AKS cluster's ARM resource ID. */
  clusterResourceId: string;
  /** What reports and alerts call it (the alias from CLUSTERS, else the cluster name). */
  name: string;
  /** ISO 8601: when the timer queued it. */
  enqueuedAt: string;
}

/** Thrown when the environment names no storage account for the queue. */
export class ScanQueueConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ScanQueueConfigError';
  }
}

/**
 * The queue client from the app settings. Values are never put in error messages: a
 * connection string holds a key.
 */
export function createScanQueueClient(
  env: Record<string, string | undefined>,
  queueName: string,
  options: { credential?: TokenCredential } = {},
): QueueClient {
  const value = (name: string): string | undefined => {
    const v = env[name]?.trim();
    return v ? v : undefined;
  };
  const connectionString = value('AzureWebJobsStorage');
  if (connectionString !== undefined) {
    if (!/(AccountName=|UseDevelopmentStorage=true|QueueEndpoint=)/i.test(connectionString)) {
      throw new ScanQueueConfigError(
        'AzureWebJobsStorage is set but is not a storage connection string (value not shown: it holds a key); for the managed identity, remove it and set AzureWebJobsStorage__accountName',
      );
    }
    return new QueueClient(connectionString, queueName);
  }
  const serviceUri = value('AzureWebJobsStorage__queueServiceUri');
  const accountName = value('AzureWebJobsStorage__accountName');
  let queueServiceUrl: string;
  if (serviceUri !== undefined) {
    let url: URL;
    try {
      url = new URL(serviceUri);
    } catch {
      throw new ScanQueueConfigError(`AzureWebJobsStorage__queueServiceUri "${serviceUri}" is not a URL (e.g. https://mystorage.queue.core.windows.net)`);
    }
    if (url.protocol !== 'https:') {
      throw new ScanQueueConfigError(`AzureWebJobsStorage__queueServiceUri "${serviceUri}" must use https:// (managed identity tokens are only sent over TLS)`);
    }
    queueServiceUrl = url.href.replace(/\/+$/, '');
  } else if (accountName !== undefined) {
    if (!/^[a-z0-9]{3,24}$/.test(accountName)) {
      throw new ScanQueueConfigError(`AzureWebJobsStorage__accountName "${accountName}" is not a storage account name (3-24 lowercase letters and digits)`);
    }
    queueServiceUrl = `https://${accountName}.queue.core.windows.net`;
  } else {
    throw new ScanQueueConfigError(
      'SCAN_FANOUT=queue needs the app\'s storage account for its queue: set AzureWebJobsStorage__accountName (managed identity) or AzureWebJobsStorage (a connection string, e.g. Azurite)',
    );
  }
  const clientId = value('AzureWebJobsStorage__clientId') ?? value('AZURE_CLIENT_ID');
  const credential = options.credential ?? new DefaultAzureCredential(clientId ? { managedIdentityClientId: clientId } : {});
  return new QueueServiceClient(queueServiceUrl, credential).getQueueClient(queueName);
}

/** The message text as it goes on the queue: base64 of the JSON. */
export function encodeClusterScanMessage(message: ClusterScanMessage): string {
  return Buffer.from(JSON.stringify(message), 'utf8').toString('base64');
}

const messageSchema = z.object({
  clusterResourceId: z.string().min(1),
  name: z.string().min(1).max(200),
  enqueuedAt: z.iso.datetime({ offset: true }),
});

/**
 * The message as the queue trigger delivers it: an object (the host decoded base64 and parsed
 * the JSON), or a string of JSON, or still base64 (a queue read with `messageEncoding: none`).
 * Throws with a one-line reason when it is not a cluster scan message.
 */
export function decodeClusterScanMessage(item: unknown): ClusterScanMessage {
  let value = item;
  if (typeof value === 'string') {
    const text = value.trim();
    const json = text.startsWith('{') ? text : Buffer.from(text, 'base64').toString('utf8');
    try {
      value = JSON.parse(json) as unknown;
    } catch {
      throw new Error('the queue message is not JSON (nor base64 of JSON)');
    }
  }
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
 * timer run then fails and the next one queues every cluster again).
 */
export async function enqueueClusterScans(
  queue: QueueClient,
  clusters: ReadonlyArray<{ resourceId: string; name: string }>,
  now: Date = new Date(),
): Promise<number> {
  await queue.createIfNotExists();
  const enqueuedAt = now.toISOString();
  const pending = [...clusters];
  const worker = async (): Promise<void> => {
    for (let c = pending.shift(); c; c = pending.shift()) {
      await queue.sendMessage(encodeClusterScanMessage({ clusterResourceId: c.resourceId, name: c.name, enqueuedAt }));
    }
  };
  await Promise.all(Array.from({ length: Math.min(8, clusters.length) }, worker));
  return clusters.length;
}
