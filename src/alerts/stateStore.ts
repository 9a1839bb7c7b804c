/**
 * Where alert state lives between scans. Every write is conditional (optimistic concurrency), so
 * two overlapping scans cannot both claim, and then both send, the same alert:
 *
 * - `insert` succeeds only when no record exists;
 * - `replace` and `remove` succeed only when the record still has the ETag the caller read.
 *
 * A lost race returns `null` / `false`; it is not an error. Implementations: `TableStateStore`
 * (Azure Table storage, for the functions) and `FileStateStore` (a JSON file, for the CLI).
 */
import type { Finding } from '../report/types.js';
import type { AlertKey } from './alertKey.js';

export interface SlackThread {
  /** Channel ID the first message landed in (after any fallback). */
  channelId: string;
  /** `ts` of that message: reminders and the resolved notice reply to it. */
  ts: string;
}

export interface AlertClaim {
  /** Random id of the delivery run that holds the claim. */
  owner: string;
  /** ISO time after which another run may take the item over (a crashed run's claim). */
  expiresAt: string;
}

export interface AlertRecord extends AlertKey {
  /** Channel the alert is routed to (namespace label, else SLACK_CHANNEL). */
  channel: string;
  /** The finding as last seen lagging: renders reminders' context and the resolved notice. */
  finding: Finding;
  /** `alertTarget(finding)` as last seen. */
  target: string;
  /** ISO time since when the workload is known to lag (the newest tag's push time at first sight). */
  laggingSince: string;
  /** Target of the last delivered "new" message; null while nothing was delivered. */
  announcedTarget: string | null;
  /** ISO time of the last delivered message about this alert (new or reminder). */
  lastSentAt: string | null;
  /** First message of the current alert (bot token only). */
  thread: SlackThread | null;
  claim: AlertClaim | null;
}

export interface StoredAlert {
  record: AlertRecord;
  etag: string;
}

export interface StateStore {
  /** A short description for logs (never a secret). */
  readonly description: string;
  /** Every record of these clusters. */
  load(clusters: readonly string[]): Promise<StoredAlert[]>;
  /** Inserts a record that must not exist yet; the new ETag, or null when it exists. */
  insert(record: AlertRecord): Promise<string | null>;
  /** Replaces the record if it still has `etag`; the new ETag, or null when it changed or vanished. */
  replace(record: AlertRecord, etag: string): Promise<string | null>;
  /** Deletes the record if it still has `etag`; false when it changed or vanished. */
  remove(key: AlertKey, etag: string): Promise<boolean>;
}

export { TableStateStore, StateStoreConfigError, createStateStoreFromEnv, type TableStateStoreOptions } from './tableStateStore.js';
export { FileStateStore } from './fileStateStore.js';
export { MemoryStateStore } from './memoryStateStore.js';
