/**
 * The push index (pushIndex.ts) in the app's table (STATE_TABLE), beside the alert rows.
 *
 * Layout, in partitions whose keys start with `_`, which the alert keys' encoding never
 * produces (alerts/alertKey.ts), so the alert store, which reads its partitions by key, never
 * sees these rows:
 * - `_push-clusters`: one row per cluster (its "last scan" row): resource ID, name, `scanAt`;
 * - `_push-index_<cluster>`: one row per repository the cluster ran, with the patterns and grace
 *   periods in use and the `scanAt` of the scan that wrote it.
 *
 * A scan writes its repository rows (in transactions of 100), then its last-scan row, then
 * deletes the rows of earlier scans. Readers take a repository row only when its `scanAt` is not
 * older than the cluster's last scan, so a scan that died half-way, or rows not yet deleted,
 * never count. The index stays bounded: one row per repository a cluster runs now, and keys
 * bounded like the alert keys whatever the names.
 */
import { odata, type TableClient, type TransactionAction } from '@azure/data-tables';
import { z } from 'zod';
import { tableKeyOf } from '../alerts/alertKey.js';
import { appTable, tableCreator, tableError } from '../storage/appTables.js';
import type { AppStorage } from '../storage/appStorage.js';
import { createConcurrencyLimit } from '../util/concurrencyLimit.js';
import type { ClusterIndex, IndexEntry } from './pushIndex.js';

const CLUSTERS_PARTITION = '_push-clusters';
/** The most operations Azure Table storage takes in one transaction. */
const TRANSACTION_SIZE = 100;
const SCHEMA_VERSION = 1;

/** A cluster as its last indexed scan left it. */
export interface IndexedCluster {
  resourceId: string;
  name: string;
  scanAt: number;
}

/** Reads and writes the push index. */
export interface PushIndexStore {
  /** Records one cluster scan's index. */
  write(index: ClusterIndex): Promise<void>;
  /** Every cluster with an index. */
  clusters(): Promise<IndexedCluster[]>;
  /** The repository's row of the cluster's last scan; null when that scan did not run it; 'unreadable' when the row cannot be used. */
  entry(cluster: IndexedCluster, registry: string, repository: string): Promise<IndexEntry | null | 'unreadable'>;
}

const clusterKey = (resourceId: string): string => tableKeyOf([resourceId.toLowerCase()]);
const entriesPartition = (resourceId: string): string => `_push-index_${clusterKey(resourceId)}`;
const entryKey = (registry: string, repository: string): string => tableKeyOf([registry, repository]);

const useSchema = z.object({ tagPattern: z.string(), gracePeriodMs: z.number().int().min(0) });
const entryRowSchema = z.object({
  schemaVersion: z.literal(SCHEMA_VERSION),
  registry: z.string(),
  repository: z.string(),
  uses: z.string().transform((text, ctx) => {
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      value = undefined;
    }
    const parsed = z.array(useSchema).safeParse(value);
    if (parsed.success) return parsed.data;
    ctx.addIssue({ code: 'custom', message: 'uses is not a list of patterns and grace periods' });
    return z.NEVER;
  }),
  overflow: z.boolean(),
  longestGraceMs: z.number().min(0),
  scanAt: z.number(),
});
const clusterRowSchema = z.object({ schemaVersion: z.literal(SCHEMA_VERSION), resourceId: z.string().min(1), name: z.string().min(1), scanAt: z.number() });

export class TablePushIndex implements PushIndexStore {
  private readonly client: TableClient;
  private readonly ensureTable: () => Promise<void>;
  private readonly limit = createConcurrencyLimit(8);

  constructor(storage: AppStorage, tableName: string) {
    this.client = appTable(storage, tableName).client;
    this.ensureTable = tableCreator(this.client, 'push index');
  }

  async write(index: ClusterIndex): Promise<void> {
    await this.ensureTable();
    const partitionKey = entriesPartition(index.resourceId);
    const rows = index.entries.map((e) => ({
      partitionKey,
      rowKey: entryKey(e.registry, e.repository),
      schemaVersion: SCHEMA_VERSION,
      registry: e.registry,
      repository: e.repository,
      uses: JSON.stringify(e.uses),
      overflow: e.overflow,
      longestGraceMs: e.longestGraceMs,
      scanAt: index.scanAt,
    }));
    await this.inTransactions(rows.map((row): TransactionAction => ['upsert', row, 'Replace']), 'writing repository rows');
    const marker = { partitionKey: CLUSTERS_PARTITION, rowKey: clusterKey(index.resourceId), schemaVersion: SCHEMA_VERSION, resourceId: index.resourceId, name: index.name, scanAt: index.scanAt, repositories: rows.length };
    await this.attempt('writing the last-scan row', () => this.client.upsertEntity(marker, 'Replace'));
    const stale: TransactionAction[] = [];
    await this.attempt('listing earlier rows', async () => {
      const filter = odata`PartitionKey eq ${partitionKey} and scanAt lt ${index.scanAt}`;
      for await (const row of this.client.listEntities({ queryOptions: { filter, select: ['RowKey'] } })) stale.push(['delete', { partitionKey, rowKey: row.rowKey ?? '' }]);
    });
    await this.inTransactions(stale, 'deleting earlier rows');
  }

  async clusters(): Promise<IndexedCluster[]> {
    await this.ensureTable();
    const found: IndexedCluster[] = [];
    await this.attempt('reading the clusters', async () => {
      for await (const row of this.client.listEntities({ queryOptions: { filter: odata`PartitionKey eq ${CLUSTERS_PARTITION}` } })) {
        const parsed = clusterRowSchema.safeParse(row);
        if (parsed.success) found.push({ resourceId: parsed.data.resourceId, name: parsed.data.name, scanAt: parsed.data.scanAt });
      }
    });
    return found;
  }

  async entry(cluster: IndexedCluster, registry: string, repository: string): Promise<IndexEntry | null | 'unreadable'> {
    const row = await this.limit(() =>
      this.attempt('reading a repository row', async () => {
        try {
          return await this.client.getEntity(entriesPartition(cluster.resourceId), entryKey(registry, repository));
        } catch (error) {
          if ((error as { statusCode?: number }).statusCode === 404) return null;
          throw error;
        }
      }),
    );
    if (row === null) return null;
    const parsed = entryRowSchema.safeParse(row);
    if (!parsed.success) return 'unreadable';
    const { uses, overflow, longestGraceMs, scanAt } = parsed.data;
    return scanAt < cluster.scanAt ? null : { registry, repository, uses, overflow, longestGraceMs };
  }

  /** Submits the actions (all of one partition) in transactions of at most TRANSACTION_SIZE, a few at a time. */
  private async inTransactions(actions: readonly TransactionAction[], operation: string): Promise<void> {
    const chunks: TransactionAction[][] = [];
    for (let i = 0; i < actions.length; i += TRANSACTION_SIZE) chunks.push(actions.slice(i, i + TRANSACTION_SIZE));
    await Promise.all(chunks.map((chunk) => this.limit(() => this.attempt(operation, () => this.client.submitTransaction(chunk)))));
  }

  private async attempt<T>(operation: string, work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (error) {
      throw tableError('push index', operation, error);
    }
  }
}
