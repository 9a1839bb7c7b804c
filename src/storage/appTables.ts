/**
 * A table of the app's storage account through `@azure/data-tables`, reached as appStorage.ts
 * found it, and how its failures are told: the alert state (alerts/state/tableStateStore.ts) and
 * the cluster statuses (status/tableStatusStore.ts) both live there.
 */
import { RestError, TableClient } from '@azure/data-tables';
import type { AppStorage } from './appStorage.js';
import { storageHttpClient } from './storageTimeouts.js';

/** Azurite's well-known development account (public, documented by Microsoft). */
const DEVELOPMENT_STORAGE =
  'DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==;TableEndpoint=http://127.0.0.1:10002/devstoreaccount1;';

export interface AppTable {
  client: TableClient;
  /** For logs: the table and how it is reached (never the connection string, which holds a key). */
  description: string;
}

export interface AppTableOptions {
  /** Retries of a transient failure (the SDK's default otherwise). */
  maxRetries?: number;
  /** How long one request may take (STORAGE_REQUEST_TIMEOUT_MS otherwise). */
  requestTimeoutMs?: number;
}

/**
 * The table `tableName`: with a connection string (`UseDevelopmentStorage=true` means Azurite
 * on its default port; http is allowed only when the connection string says http), or the table
 * service URL and a credential. Each request has a time limit (storageTimeouts.ts).
 */
export function appTable(storage: AppStorage, tableName: string, { maxRetries, requestTimeoutMs }: AppTableOptions = {}): AppTable {
  const clientOptions = { httpClient: storageHttpClient(requestTimeoutMs), ...(maxRetries !== undefined ? { retryOptions: { maxRetries } } : {}) };
  if ('connectionString' in storage) {
    const connectionString = storage.connectionString.trim() === 'UseDevelopmentStorage=true' ? DEVELOPMENT_STORAGE : storage.connectionString;
    const insecure = /(^|;)\s*(DefaultEndpointsProtocol=http|TableEndpoint=http:)/i.test(connectionString);
    return {
      client: TableClient.fromConnectionString(connectionString, tableName, { allowInsecureConnection: insecure, ...clientOptions }),
      description: `table ${tableName} (connection string)`,
    };
  }
  return {
    client: new TableClient(storage.serviceUrl, tableName, storage.credential, clientOptions),
    description: `table ${tableName} at ${new URL(storage.serviceUrl).host} (managed identity)`,
  };
}

/** Status codes that mean "someone else changed it first": exists, ETag mismatch, gone. */
export function isLostRace(error: unknown): boolean {
  return error instanceof RestError && (error.statusCode === 409 || error.statusCode === 412 || error.statusCode === 404);
}

/** An error that says what failed without repeating URLs (a SAS connection string puts its secret in them). */
export function tableError(what: string, operation: string, error: unknown): Error {
  if (error instanceof RestError) {
    const details = [error.statusCode !== undefined ? `HTTP ${error.statusCode}` : undefined, error.code].filter(Boolean).join(' ');
    return new Error(`${what}: ${operation} failed${details ? ` (${details})` : ''}`);
  }
  const code = (error as { code?: unknown }).code;
  return new Error(`${what}: ${operation} failed${typeof code === 'string' ? ` (${code})` : ''}`);
}

/** Creates the table on first call (creating one that exists is not an error); a failure is retried by the next call. */
export function tableCreator(client: TableClient, what: string): () => Promise<void> {
  let ready: Promise<void> | null = null;
  return () => {
    ready ??= client.createTable().then(
      () => undefined,
      (error: unknown) => {
        ready = null;
        throw tableError(what, 'creating the table', error);
      },
    );
    return ready;
  };
}
