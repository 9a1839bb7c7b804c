/**
 * How an alert record is stored as an Azure Table entity (the table store's row format, as
 * stateFile.ts is the file store's): one partition per cluster, the finding as JSON, and a
 * schema version that tells this version's rows from others (see stateStore.ts).
 */
import type { TableEntityResult } from '@azure/data-tables';
import type { AlertRecord } from '../../model/alert.js';
import type { Finding } from '../../model/finding.js';
import { clipCodePoints } from '../../util/text.js';
import { partitionKeyFor, rowKeyFor } from '../alertKey.js';
import { readRecord, RECORD_SCHEMA_VERSION } from './recordSchema.js';
import type { StoredAlert } from './stateStore.js';

export interface AlertEntity {
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

export function toEntity(record: AlertRecord): AlertEntity {
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

export type RowReading = { alert: StoredAlert } | { unreadable: string } | { newer: string };

/** What a row is to this version: an alert it can use, or a foreign row and why (see stateStore.ts). */
export function readEntity(e: TableEntityResult<Partial<AlertEntity>>, id: string): RowReading {
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
