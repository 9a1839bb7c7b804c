/**
 * The clusters' statuses in the app's alert table (STATE_TABLE), one row per cluster in the
 * partition STATUS_PARTITION. A partition rather than a table of its own: no setting, table,
 * role or Bicep to add, and the alert store never reads it, since it reads only the partitions of
 * cluster names, whose encoding (alerts/alertKey.ts) never produces `_`. The row key is the
 * SHA-256 of the cluster name: always a valid key, whatever the name.
 *
 * A row holds the record as JSON, its items cut into ITEMS_CHUNK_CHARS pieces (a string
 * property holds 32K characters; the record is bounded by clusterStatus.ts to fit a row's 1 MiB).
 * A scan replaces its cluster's row; overlapping scans of one cluster leave the later one's.
 */
import { createHash } from 'node:crypto';
import type { TableClient } from '@azure/data-tables';
import type { ClusterStatus } from '../model/clusterStatus.js';
import type { AppStorage } from '../storage/appStorage.js';
import { appTable, tableCreator, tableError } from '../storage/appTables.js';
import { readStatusRecord, STATUS_SCHEMA_VERSION } from './statusRecord.js';
import type { StatusStore, StoredStatuses } from './statusStore.js';

export const STATUS_PARTITION = '_status';
const ITEMS_CHUNK_CHARS = 30_000;
const WHAT = 'status table';

interface StatusEntity {
  partitionKey: string;
  rowKey: string;
  schemaVersion: number;
  cluster: string;
  /** The record without its items, as JSON. */
  record: string;
  /** The items as JSON, in pieces: items0, items1, ... */
  [piece: `items${number}`]: string;
}

function rowKeyOf(cluster: string): string {
  return createHash('sha256').update(cluster, 'utf8').digest('hex');
}

function toEntity(status: ClusterStatus): StatusEntity {
  const { items, ...record } = status;
  const json = JSON.stringify(items);
  const entity: StatusEntity = { partitionKey: STATUS_PARTITION, rowKey: rowKeyOf(status.cluster), schemaVersion: STATUS_SCHEMA_VERSION, cluster: status.cluster, record: JSON.stringify(record) };
  for (let i = 0; i * ITEMS_CHUNK_CHARS < json.length; i += 1) entity[`items${i}`] = json.slice(i * ITEMS_CHUNK_CHARS, (i + 1) * ITEMS_CHUNK_CHARS);
  return entity;
}

/** The record a row holds, or undefined when this version cannot read it. */
function fromEntity(entity: Partial<StatusEntity>): ClusterStatus | undefined {
  if (entity.schemaVersion !== STATUS_SCHEMA_VERSION || typeof entity.record !== 'string') return undefined;
  let json = '';
  for (let i = 0; typeof entity[`items${i}`] === 'string'; i += 1) json += entity[`items${i}`];
  try {
    return readStatusRecord({ ...(JSON.parse(entity.record) as object), items: JSON.parse(json || '[]') as unknown });
  } catch {
    return undefined;
  }
}

export type TableStatusStoreOptions = AppStorage & { tableName: string };

export class TableStatusStore implements StatusStore {
  readonly description: string;
  private readonly client: TableClient;
  private readonly ensureTable: () => Promise<void>;

  constructor(options: TableStatusStoreOptions) {
    const { tableName, ...storage } = options;
    ({ client: this.client, description: this.description } = appTable(storage, tableName));
    this.ensureTable = tableCreator(this.client, WHAT);
  }

  async get(cluster: string): Promise<ClusterStatus | undefined> {
    await this.ensureTable();
    try {
      const entity = await this.client.getEntity<Partial<StatusEntity>>(STATUS_PARTITION, rowKeyOf(cluster));
      return fromEntity(entity);
    } catch (error) {
      if ((error as { statusCode?: number }).statusCode === 404) return undefined;
      throw tableError(WHAT, 'reading a cluster status', error);
    }
  }

  async list(): Promise<StoredStatuses> {
    await this.ensureTable();
    const found: StoredStatuses = { statuses: [], unreadable: 0 };
    try {
      const entities = this.client.listEntities<Partial<StatusEntity>>({ queryOptions: { filter: `PartitionKey eq '${STATUS_PARTITION}'` } });
      for await (const entity of entities) {
        const status = fromEntity(entity);
        if (status) found.statuses.push(status);
        else found.unreadable += 1;
      }
    } catch (error) {
      throw tableError(WHAT, 'reading the cluster statuses', error);
    }
    return found;
  }

  async save(status: ClusterStatus): Promise<void> {
    await this.ensureTable();
    try {
      await this.client.upsertEntity(toEntity(status), 'Replace');
    } catch (error) {
      throw tableError(WHAT, 'saving a cluster status', error);
    }
  }
}
