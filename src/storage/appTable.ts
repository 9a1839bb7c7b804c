/**
 * A table of the app's own storage account (appStorage.ts), as `@azure/data-tables` reaches it:
 * with a connection string (`UseDevelopmentStorage=true` means Azurite on its default port; an
 * http endpoint, as Azurite's, needs `allowInsecureConnection`), or with the service URL and a
 * credential. The alert state and the push index share one table (STATE_TABLE).
 */
import { RestError, TableClient } from '@azure/data-tables';
import type { AppStorage } from './appStorage.js';

/** Azurite's well-known development account (public, documented by Microsoft). */
const DEVELOPMENT_STORAGE =
  'DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==;TableEndpoint=http://127.0.0.1:10002/devstoreaccount1;';

export interface AppTable {
  client: TableClient;
  /** For logs: the table and how it is reached (never a secret). */
  description: string;
}

/** The client of table `tableName`; `maxRetries` overrides the SDK's retries of transient errors. */
export function appTableClient(storage: AppStorage, tableName: string, maxRetries?: number): AppTable {
  const retryOptions = maxRetries !== undefined ? { retryOptions: { maxRetries } } : {};
  if ('connectionString' in storage) {
    const connectionString = storage.connectionString.trim() === 'UseDevelopmentStorage=true' ? DEVELOPMENT_STORAGE : storage.connectionString;
    const insecure = /(^|;)\s*(DefaultEndpointsProtocol=http|TableEndpoint=http:)/i.test(connectionString);
    return {
      client: TableClient.fromConnectionString(connectionString, tableName, { allowInsecureConnection: insecure, ...retryOptions }),
      description: `table ${tableName} (connection string)`,
    };
  }
  return {
    client: new TableClient(storage.serviceUrl, tableName, storage.credential, retryOptions),
    description: `table ${tableName} at ${new URL(storage.serviceUrl).host} (managed identity)`,
  };
}

/**
 * Creates the table on first use (creating one that exists is not an error); a failure is
 * passed to `onError` for the caller's message and tried again on the next use.
 */
export function tableCreator(client: TableClient, onError: (error: unknown) => Error): () => Promise<void> {
  let ready: Promise<void> | null = null;
  return () => {
    ready ??= client.createTable().then(
      () => undefined,
      (error: unknown) => {
        ready = null;
        throw onError(error);
      },
    );
    return ready;
  };
}

/** Status codes that mean "someone else changed it first": exists, ETag mismatch, gone. */
export function isLostRace(error: unknown): boolean {
  return error instanceof RestError && (error.statusCode === 409 || error.statusCode === 412 || error.statusCode === 404);
}

/**
 * An error that says which table operation failed and the service's status and code, without
 * repeating URLs (a SAS connection string puts its secret in them). `what` names the table's use.
 */
export function tableError(what: string, operation: string, error: unknown): Error {
  if (error instanceof RestError) {
    const details = [error.statusCode !== undefined ? `HTTP ${error.statusCode}` : undefined, error.code].filter(Boolean).join(' ');
    return new Error(`${what}: ${operation} failed${details ? ` (${details})` : ''}`);
  }
  const code = (error as { code?: unknown }).code;
  return new Error(`${what}: ${operation} failed${typeof code === 'string' ? ` (${code})` : ''}`);
}
