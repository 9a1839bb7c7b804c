/**
 * Alert state in Azure Table storage (`@azure/data-tables`), in the function app's own storage
 * account: one partition per cluster, one entity per alert, written only with ETag conditions.
 *
 * Reached with a connection string (`AzureWebJobsStorage`, e.g. Azurite locally) or, deployed,
 * with the managed identity (`AzureWebJobsStorage__accountName` or `__tableServiceUri`, the
 * identity's client id in `AzureWebJobsStorage__clientId` or AZURE_CLIENT_ID). The identity
 * needs "Storage Table Data Contributor" on the account. The table is created when missing.
 */
import { RestError, TableClient, type TableEntityResult } from '@azure/data-tables';
import type { TokenCredential } from '@azure/identity';
import type { AlertKey, AlertRecord } from '../../model/alert.js';
import type { Finding } from '../../model/finding.js';
import { resolveAppStorage } from '../../storage/appStorage.js';
import { clipCodePoints } from '../../util/text.js';
import { idOf, partitionKeyFor, rowKeyFor, tableKeysOf } from '../alertKey.js';
import { readRecord, RECORD_SCHEMA_VERSION } from './recordSchema.js';
import type { StateSnapshot, StateStore, StoredAlert } from './stateStore.js';

/** Azurite's well-known development account (public, documented by Microsoft). */
const DEVELOPMENT_STORAGE =
  'DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==;TableEndpoint=http://127.0.0.1:10002/devstoreaccount1;';

interface AlertEntity {
  partitionKey: string;
  rowKey: string;
  schemaVersion: number;
  cluster: string;
  namespace: string;
  workloadKind: string;
  workloadName: string;
  container: string;
  channel: string;
  finding: string;
  target: string;
  laggingSince: string;
  announcedTarget?: string;
  lastSentAt?: string;
  threadChannelId?: string;
  threadTs?: string;
  claimOwner?: string;
  claimExpiresAt?: string;
}

/**
 * Azure Table string properties hold at most 64 KiB (32,768 UTF-16 characters). A finding is a
 * few hundred characters; one with hostile values from a cluster (an owner name of 100,000
 * characters) is stored with every string cut, which messages never show anyway (they cut
 * each value to 150 characters). The cut leaves room for JSON escapes of 6 characters each.
 */
const MAX_FINDING_JSON_CHARS = 30_000;
const MAX_STORED_VALUE_CHARS = 256;

function findingJson(finding: Finding): string {
  const json = JSON.stringify(finding);
  if (json.length <= MAX_FINDING_JSON_CHARS) return json;
  return JSON.stringify(finding, (_key, value: unknown) => (typeof value === 'string' ? clipCodePoints(value, MAX_STORED_VALUE_CHARS) : value));
}

function toEntity(record: AlertRecord): AlertEntity {
  return {
    partitionKey: partitionKeyFor(record.cluster),
    rowKey: rowKeyFor(record),
    schemaVersion: RECORD_SCHEMA_VERSION,
    cluster: record.cluster,
    namespace: record.namespace,
    workloadKind: record.workloadKind,
    workloadName: record.workloadName,
    container: record.container,
    channel: record.channel,
    finding: findingJson(record.finding),
    target: record.target,
    laggingSince: record.laggingSince,
    ...(record.announcedTarget !== null ? { announcedTarget: record.announcedTarget } : {}),
    ...(record.lastSentAt !== null ? { lastSentAt: record.lastSentAt } : {}),
    ...(record.thread ? { threadChannelId: record.thread.channelId, threadTs: record.thread.ts } : {}),
    ...(record.claim ? { claimOwner: record.claim.owner, claimExpiresAt: record.claim.expiresAt } : {}),
  };
}

type RowReading = { alert: StoredAlert } | { unreadable: string } | { newer: string };

/** What a row is to this version: an alert it can use, or a foreign row and why (see stateStore.ts). */
function readEntity(e: TableEntityResult<Partial<AlertEntity>>, id: string): RowReading {
  const version: unknown = e.schemaVersion;
  if (typeof version === 'number' && version > RECORD_SCHEMA_VERSION) return { newer: `schema version ${version} (this version writes ${RECORD_SCHEMA_VERSION})` };
  if (version !== RECORD_SCHEMA_VERSION) return { unreadable: version === undefined ? 'no schema version' : `schema version ${String(version).slice(0, 20)}` };
  let finding: unknown;
  try {
    finding = typeof e.finding === 'string' ? JSON.parse(e.finding) : undefined;
  } catch {
    return { unreadable: 'its finding is not JSON' };
  }
  const read = readRecord(
    {
      cluster: e.cluster,
      namespace: e.namespace,
      workloadKind: e.workloadKind,
      workloadName: e.workloadName,
      container: e.container,
      channel: e.channel,
      finding,
      target: e.target,
      laggingSince: e.laggingSince,
      announcedTarget: e.announcedTarget ?? null,
      lastSentAt: e.lastSentAt ?? null,
      thread: e.threadChannelId && e.threadTs ? { channelId: e.threadChannelId, ts: e.threadTs } : null,
      claim: e.claimOwner && e.claimExpiresAt ? { owner: e.claimOwner, expiresAt: e.claimExpiresAt } : null,
    },
    id,
  );
  return 'record' in read ? { alert: { record: read.record, etag: e.etag } } : { unreadable: read.problem };
}

/** Status codes that mean "someone else changed it first": exists, ETag mismatch, gone. */
function isLostRace(error: unknown): boolean {
  return error instanceof RestError && (error.statusCode === 409 || error.statusCode === 412 || error.statusCode === 404);
}

/** An error that says what failed without repeating URLs (a SAS connection string puts its secret in them). */
function storeError(operation: string, error: unknown): Error {
  if (error instanceof RestError) {
    const details = [error.statusCode !== undefined ? `HTTP ${error.statusCode}` : undefined, error.code].filter(Boolean).join(' ');
    return new Error(`alert state table: ${operation} failed${details ? ` (${details})` : ''}`);
  }
  const code = (error as { code?: unknown }).code;
  return new Error(`alert state table: ${operation} failed${typeof code === 'string' ? ` (${code})` : ''}`);
}

export interface TableStateStoreOptions {
  /** A storage connection string (`UseDevelopmentStorage=true` means Azurite on its default port). */
  connectionString?: string;
  /** `https://<account>.table.core.windows.net`, used with `credential`. */
  tableServiceUrl?: string;
  credential?: TokenCredential;
  tableName: string;
  /** Retries of the SDK's own policy for transient storage errors (its default when absent). */
  maxRetries?: number;
}

export class TableStateStore implements StateStore {
  readonly description: string;
  private readonly client: TableClient;
  private ready: Promise<void> | null = null;

  constructor(options: TableStateStoreOptions) {
    const retryOptions = options.maxRetries !== undefined ? { retryOptions: { maxRetries: options.maxRetries } } : {};
    if (options.connectionString !== undefined) {
      const connectionString = options.connectionString.trim() === 'UseDevelopmentStorage=true' ? DEVELOPMENT_STORAGE : options.connectionString;
      const insecure = /(^|;)\s*(DefaultEndpointsProtocol=http|TableEndpoint=http:)/i.test(connectionString);
      this.client = TableClient.fromConnectionString(connectionString, options.tableName, { allowInsecureConnection: insecure, ...retryOptions });
      this.description = `table ${options.tableName} (connection string)`;
    } else if (options.tableServiceUrl !== undefined && options.credential !== undefined) {
      this.client = new TableClient(options.tableServiceUrl, options.tableName, options.credential, retryOptions);
      this.description = `table ${options.tableName} at ${new URL(options.tableServiceUrl).host} (managed identity)`;
    } else {
      throw new Error('TableStateStore needs a connection string, or a table service URL and a credential');
    }
  }

  /** Creates the table on first use (creating one that exists is not an error). */
  private ensureTable(): Promise<void> {
    this.ready ??= this.client.createTable().then(
      () => undefined,
      (error: unknown) => {
        this.ready = null;
        throw storeError('creating the table', error);
      },
    );
    return this.ready;
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

/** Thrown when the environment names no storage account for the alert state. */
export { AppStorageConfigError as StateStoreConfigError } from '../../storage/appStorage.js';

/** The functions' state store: a table in the app's own storage account (see appStorage.ts). */
export function createStateStoreFromEnv(
  env: Record<string, string | undefined>,
  tableName: string,
  options: { credential?: TokenCredential } = {},
): TableStateStore {
  const storage = resolveAppStorage(env, 'table', 'alert state', options);
  return 'connectionString' in storage
    ? new TableStateStore({ connectionString: storage.connectionString, tableName })
    : new TableStateStore({ tableServiceUrl: storage.serviceUrl, credential: storage.credential, tableName });
}
