/**
 * Alert state in Azure Table storage (`@azure/data-tables`), in the function app's own storage
 * account: one partition per cluster, one entity per alert (tableEntity.ts), written only with
 * ETag conditions, which the service checks.
 *
 * Reached with a connection string (`AzureWebJobsStorage`, e.g. Azurite locally) or, deployed,
 * with the managed identity (`AzureWebJobsStorage__accountName` or `__tableServiceUri`, the
 * identity's client id in `AzureWebJobsStorage__clientId` or AZURE_CLIENT_ID): see
 * storage/appStorage.ts. The identity needs "Storage Table Data Contributor" on the account.
 * The table is created when missing.
 */
import type { TableClient } from '@azure/data-tables';
import type { AlertKey, AlertRecord } from '../../model/alert.js';
import type { AppStorage } from '../../storage/appStorage.js';
import { appTable, isLostRace, tableCreator, tableError } from '../../storage/appTables.js';
import { idOf, partitionKeyFor, tableKeysOf } from '../alertKey.js';
import type { StateSnapshot, StateStore } from './stateStore.js';
import { readEntity, toEntity, type AlertEntity } from './tableEntity.js';

/** An error that says what failed without repeating URLs (a SAS connection string puts its secret in them). */
function storeError(operation: string, error: unknown): Error {
  return tableError('alert state table', operation, error);
}

/**
 * The account, as appStorage.ts finds it: a connection string (`UseDevelopmentStorage=true`
 * means Azurite on its default port), or the table service URL
 * (`https://<account>.table.core.windows.net`) and a credential.
 */
export type TableStateStoreOptions = AppStorage & {
  tableName: string;
  /** Retries of the SDK's own policy for transient storage errors (its default when absent). */
  maxRetries?: number;
};

export class TableStateStore implements StateStore {
  readonly description: string;
  private readonly client: TableClient;
  /** Creates the table on first use. */
  private readonly ensureTable: () => Promise<void>;

  constructor(options: TableStateStoreOptions) {
    const { tableName, maxRetries, ...storage } = options;
    ({ client: this.client, description: this.description } = appTable(storage, tableName, maxRetries !== undefined ? { maxRetries } : {}));
    this.ensureTable = tableCreator(this.client, 'alert state table');
  }

  async load(clusters: readonly string[]): Promise<StateSnapshot> {
    await this.ensureTable();
    const snapshot: StateSnapshot = { alerts: [], unreadable: [], newer: [] };
    for (const cluster of new Set(clusters)) {
      const partitionKey = partitionKeyFor(cluster);
      try {
        const entities = this.client.listEntities<Partial<AlertEntity>>({
          queryOptions: { filter: `PartitionKey eq '${partitionKey.replace(/'/g, "''")}'` },
        });
        for await (const entity of entities) {
          const id = `${entity.partitionKey}/${entity.rowKey}`;
          const reading = readEntity(entity, id);
          if ('alert' in reading) snapshot.alerts.push(reading.alert);
          else if ('newer' in reading) snapshot.newer.push({ id, cluster, etag: entity.etag, problem: reading.newer });
          else snapshot.unreadable.push({ id, cluster, etag: entity.etag, problem: reading.unreadable });
        }
      } catch (error) {
        throw storeError('reading alert state', error);
      }
    }
    return snapshot;
  }

  async insert(record: AlertRecord): Promise<string | null> {
    await this.ensureTable();
    try {
      const response = await this.client.createEntity(toEntity(record));
      return response.etag ?? null;
    } catch (error) {
      if (isLostRace(error)) return null;
      throw storeError('claiming an alert', error);
    }
  }

  async replace(record: AlertRecord, etag: string): Promise<string | null> {
    await this.ensureTable();
    try {
      const response = await this.client.updateEntity(toEntity(record), 'Replace', { etag });
      return response.etag ?? null;
    } catch (error) {
      if (isLostRace(error)) return null;
      throw storeError('updating an alert', error);
    }
  }

  async remove(key: AlertKey | { id: string }, etag: string): Promise<boolean> {
    await this.ensureTable();
    const { partitionKey, rowKey } = tableKeysOf(idOf(key));
    try {
      await this.client.deleteEntity(partitionKey, rowKey, { etag });
      return true;
    } catch (error) {
      if (isLostRace(error)) return false;
      throw storeError('removing an alert', error);
    }
  }
}
