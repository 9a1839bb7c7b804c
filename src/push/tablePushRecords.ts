/**
 * The push records (pushRecord.ts) in the app's table (STATE_TABLE): partition
 * `_push-records_<registry, repository>`, one row per tag (keys encoded and bounded like the
 * alert keys; a leading `_` keeps them apart from the alert rows, see tablePushIndex.ts).
 * Writes are conditional (insert when absent, replace on the ETag read), so two instances
 * handling events of the same tag at once cannot both schedule the same push.
 *
 * Bounded: after each write, rows of the repository not written for RECORD_RETENTION_MS are
 * deleted; no event can arrive that late (Event Grid gives up after a day, and the queue
 * message lives a day).
 */
import { odata, type TableClient } from '@azure/data-tables';
import { z } from 'zod';
import { tableKeyOf } from '../alerts/alertKey.js';
import { systemClock, type Clock } from '../model/clock.js';
import type { ImagePush } from '../model/push.js';
import { appTable, isLostRace, tableCreator, tableError } from '../storage/appTables.js';
import type { AppStorage } from '../storage/appStorage.js';
import type { PushRecord } from './pushRecord.js';

export const RECORD_RETENTION_MS = 7 * 86_400_000;

export interface PushRecordStore {
  /** The record of the push's tag, with its ETag; null when none. */
  read(push: ImagePush): Promise<{ record: PushRecord; etag: string } | null>;
  /** Inserts (no `etag`) or replaces (on `etag`) the tag's record; the new ETag, or null when another writer was first. */
  write(push: ImagePush, record: PushRecord, etag?: string): Promise<string | null>;
}

const rowSchema = z.object({ eventId: z.string(), pushedAt: z.iso.datetime({ offset: true }), scheduled: z.boolean() });

const keysOf = (push: ImagePush) => ({ partitionKey: `_push-records_${tableKeyOf([push.registry, push.repository])}`, rowKey: tableKeyOf([push.tag]) });

export class TablePushRecords implements PushRecordStore {
  private readonly client: TableClient;
  private readonly ensureTable: () => Promise<void>;

  constructor(
    storage: AppStorage,
    tableName: string,
    private readonly now: Clock = systemClock,
  ) {
    this.client = appTable(storage, tableName).client;
    this.ensureTable = tableCreator(this.client, 'push records');
  }

  async read(push: ImagePush): Promise<{ record: PushRecord; etag: string } | null> {
    await this.ensureTable();
    const { partitionKey, rowKey } = keysOf(push);
    try {
      const row = await this.client.getEntity(partitionKey, rowKey);
      const parsed = rowSchema.safeParse(row);
      // A row this version cannot read says nothing: the event is judged as the first, and its write replaces the row.
      return parsed.success ? { record: parsed.data, etag: row.etag } : { record: { eventId: '', pushedAt: new Date(0).toISOString(), scheduled: true }, etag: row.etag };
    } catch (error) {
      if ((error as { statusCode?: number }).statusCode === 404) return null;
      throw tableError('push records', 'reading a record', error);
    }
  }

  async write(push: ImagePush, record: PushRecord, etag?: string): Promise<string | null> {
    await this.ensureTable();
    const now = this.now();
    const entity = { ...keysOf(push), ...record, recordedAt: now };
    let written: string | null;
    try {
      const response = etag === undefined ? await this.client.createEntity(entity) : await this.client.updateEntity(entity, 'Replace', { etag });
      written = response.etag ?? null;
    } catch (error) {
      if (isLostRace(error)) return null;
      throw tableError('push records', 'writing a record', error);
    }
    // Housekeeping only: a failure loses nothing, and the next write of the repository tries again.
    await this.removeOld(entity.partitionKey, now - RECORD_RETENTION_MS).catch(() => undefined);
    return written;
  }

  /** Deletes the repository's records last written before `before` (epoch ms). */
  private async removeOld(partitionKey: string, before: number): Promise<void> {
    for await (const row of this.client.listEntities({ queryOptions: { filter: odata`PartitionKey eq ${partitionKey} and recordedAt lt ${before}`, select: ['RowKey'] } })) {
      await this.client.deleteEntity(partitionKey, row.rowKey ?? '');
    }
  }
}
