/**
 * Where alert state lives between scans. Every write is conditional (optimistic concurrency), so
 * two overlapping scans cannot both claim, and then both send, the same alert:
 *
 * - `insert` succeeds only when no record exists;
 * - `replace` and `remove` succeed only when the record still has the ETag the caller read.
 *
 * A lost race returns `null` / `false`; it is not an error. Members, built by createStateStore.ts:
 * `TableStateStore` (Azure Table storage, for the functions), `FileStateStore` (a JSON file, for
 * the CLI's --state) and `MemoryStateStore` (nothing kept); the last two share stateMap.ts.
 *
 * Rows this version cannot use are never silently skipped (a skipped row used to count as
 * "claimed by another run" forever, so its workload was never alerted):
 * - a row of an older or unknown layout, or one that does not parse (a hand edit, a corrupt
 *   finding), is `unreadable`: treated as absent, with a warning naming it. A lagging workload
 *   at its key overwrites it (conditionally, on its ETag) and anything else removes it.
 *   Nothing in it can be trusted, and an older layout's alert is announced again at worst.
 * - a row written by a newer layout (a higher `schemaVersion`) is `newer`: left alone, with a
 *   warning and a count in the result, since this version cannot tell what it would lose by
 *   overwriting it; its workload is not alerted by this version (the newer one will).
 */
import type { AlertKey, AlertRecord } from '../../model/alert.js';

export interface StoredAlert {
  record: AlertRecord;
  etag: string;
}

/** A row this version cannot use (see above). */
export interface ForeignRow {
  /** Where it is, in `alertId` form (`<partition key>/<row key>`). */
  id: string;
  /** The cluster whose state was read when it was found. */
  cluster: string;
  etag: string;
  /** Why it cannot be used, for the warning (never its content). */
  problem: string;
}

/** Everything the store holds for some clusters. */
export interface StateSnapshot {
  alerts: StoredAlert[];
  unreadable: ForeignRow[];
  newer: ForeignRow[];
}

export interface StateStore {
  /** A short description for logs (never a secret). */
  readonly description: string;
  /** Every row of these clusters. */
  load(clusters: readonly string[]): Promise<StateSnapshot>;
  /** Inserts a record that must not exist yet; the new ETag, or null when it exists. */
  insert(record: AlertRecord): Promise<string | null>;
  /** Replaces the row at the record's key (readable or not) if it still has `etag`; the new ETag, or null when it changed or vanished. */
  replace(record: AlertRecord, etag: string): Promise<string | null>;
  /** Deletes the row at this key (readable or not) if it still has `etag`; false when it changed or vanished. */
  remove(key: AlertKey | { id: string }, etag: string): Promise<boolean>;
  /**
   * Runs a whole delivery with this store to itself, for stores whose conditional writes do
   * not hold across processes (a file): see FileStateStore. Throws without running `work`
   * when the store cannot be had.
   */
  exclusive?<T>(work: () => Promise<T>): Promise<T>;
}
