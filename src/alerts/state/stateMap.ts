/**
 * Alert state held in a map by id, with the contract's conditional writes (see stateStore.ts):
 * written once, for the memory store (the map is the state) and the file store (the map is the
 * file, read and written back under its lock).
 *
 * Rows this version cannot use stay in the map as they were read: an unreadable one can be
 * replaced or removed on its ETag like any other, a newer schema's one is never written over.
 */
import { randomUUID } from 'node:crypto';
import type { AlertKey, AlertRecord } from '../../model/alert.js';
import { alertId, idOf } from '../alertKey.js';
import type { ForeignRow, StateSnapshot, StoredAlert } from './stateStore.js';

/** What is at one id: a record this version uses, or a foreign row and what it was read from. */
export type StateEntry = { kind: 'alert'; stored: StoredAlert } | { kind: 'unreadable' | 'newer'; row: ForeignRow; raw: unknown };

export class StateMap {
  constructor(readonly entries: Map<string, StateEntry> = new Map()) {}

  /** The rows of these clusters; a foreign row that names no cluster is shown to every scan, so that it is reported and cleared. */
  snapshot(clusters: readonly string[]): StateSnapshot {
    const wanted = new Set(clusters);
    const snapshot: StateSnapshot = { alerts: [], unreadable: [], newer: [] };
    for (const entry of this.entries.values()) {
      if (entry.kind === 'alert') {
        if (wanted.has(entry.stored.record.cluster)) snapshot.alerts.push(entry.stored);
      } else if (entry.row.cluster === '' || wanted.has(entry.row.cluster)) {
        snapshot[entry.kind].push(entry.row);
      }
    }
    return snapshot;
  }

  /** Inserts a record that must not exist yet; the new ETag, or null when something is at its key. */
  insert(record: AlertRecord): string | null {
    const id = alertId(record);
    if (this.entries.has(id)) return null;
    return this.put(id, record);
  }

  /** Replaces what is at the record's key if it still has `etag`; the new ETag, or null. */
  replace(record: AlertRecord, etag: string): string | null {
    const id = alertId(record);
    if (this.etagAt(id) !== etag) return null;
    return this.put(id, record);
  }

  /** Deletes what is at this key if it still has `etag`; false when it changed or vanished. */
  remove(key: AlertKey | { id: string }, etag: string): boolean {
    const id = idOf(key);
    if (this.etagAt(id) !== etag) return false;
    this.entries.delete(id);
    return true;
  }

  /** Every write gets a new ETag. */
  private put(id: string, record: AlertRecord): string {
    const etag = randomUUID();
    this.entries.set(id, { kind: 'alert', stored: { record, etag } });
    return etag;
  }

  /** The ETag a conditional write must name; none for a newer schema's row, which is never written over. */
  private etagAt(id: string): string | undefined {
    const entry = this.entries.get(id);
    if (!entry) return undefined;
    if (entry.kind === 'alert') return entry.stored.etag;
    return entry.kind === 'unreadable' ? entry.row.etag : undefined;
  }
}
