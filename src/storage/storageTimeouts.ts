/**
 * Time limits on the app's own storage account, so that one that stops answering costs an alert
 * delivery, a status or a push check that minute, not the invocation's whole functionTimeout.
 * Tables: each request ends after STORAGE_REQUEST_TIMEOUT_MS as a transient error the SDK retries
 * (a few times, with backoff). Queues: `@azure/storage-queue` takes no HTTP client of this kind
 * (only its older interface) and its `tryTimeoutInMs` only asks the server to give up, so each
 * queue operation gets a signal that ends it, its retries included, after
 * STORAGE_OPERATION_TIMEOUT_MS.
 */
import type { HttpClient } from '@azure/core-rest-pipeline';
import { timedHttpClient } from '../util/timedHttpClient.js';

/** How long one request to the storage account may take, its answer included (the service's own operations take well under a second). */
export const STORAGE_REQUEST_TIMEOUT_MS = 30_000;
/** How long one queue operation may take, its retries included. */
export const STORAGE_OPERATION_TIMEOUT_MS = 60_000;

export function storageHttpClient(timeoutMs = STORAGE_REQUEST_TIMEOUT_MS): HttpClient {
  return timedHttpClient({ timeoutMs, what: 'the storage service' });
}

/** The signal of one queue operation. Its timer never keeps the process alive. */
export function storageOperationSignal(timeoutMs = STORAGE_OPERATION_TIMEOUT_MS): AbortSignal {
  return AbortSignal.timeout(timeoutMs);
}
