/**
 * State that lives as long as the object: what a CLI scan without `--state` uses, so that a
 * one-off scan reports every lagging item as new and remembers nothing afterwards.
 */
import { randomUUID } from 'node:crypto';
import type { AlertKey, AlertRecord } from '../../model/alert.js';
import { alertId, idOf } from '../alertKey.js';
import type { StateSnapshot, StateStore, StoredAlert } from './stateStore.js';

export class MemoryStateStore implements StateStore {
  readonly description = 'memory (not kept)';
  private readonly alerts = new Map<string, StoredAlert>();

  async load(clusters: readonly string[]): Promise<StateSnapshot> {
    const wanted = new Set(clusters);
    const alerts = [...this.alerts.values()].filter((a) => wanted.has(a.record.cluster)).map((a) => structuredClone(a));
    return { alerts, unreadable: [], newer: [] };
  }

  async insert(record: AlertRecord): Promise<string | null> {
    const id = alertId(record);
    if (this.alerts.has(id)) return null;
    const etag = randomUUID();
    this.alerts.set(id, { record: structuredClone(record), etag });
    return etag;
  }

  async replace(record: AlertRecord, etag: string): Promise<string | null> {
    const id = alertId(record);
    if (this.alerts.get(id)?.etag !== etag) return null;
    const next = randomUUID();
    this.alerts.set(id, { record: structuredClone(record), etag: next });
    return next;
  }

  async remove(key: AlertKey | { id: string }, etag: string): Promise<boolean> {
    const id = idOf(key);
    if (this.alerts.get(id)?.etag !== etag) return false;
    this.alerts.delete(id);
    return true;
  }
}
