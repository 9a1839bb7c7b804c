/**
 * State that lives as long as the object: what a CLI scan without `--state` uses, so that a
 * one-off scan reports every lagging item as new and remembers nothing afterwards. It hands
 * out and keeps copies, so nothing a caller changes later reaches its state.
 */
import type { AlertKey, AlertRecord } from '../../model/alert.js';
import { StateMap } from './stateMap.js';
import type { StateSnapshot, StateStore } from './stateStore.js';

export class MemoryStateStore implements StateStore {
  readonly description = 'memory (not kept)';
  private readonly state = new StateMap();

  async load(clusters: readonly string[]): Promise<StateSnapshot> {
    return structuredClone(this.state.snapshot(clusters));
  }

  async insert(record: AlertRecord): Promise<string | null> {
    return this.state.insert(structuredClone(record));
  }

  async replace(record: AlertRecord, etag: string): Promise<string | null> {
    return this.state.replace(structuredClone(record), etag);
  }

  async remove(key: AlertKey | { id: string }, etag: string): Promise<boolean> {
    return this.state.remove(key, etag);
  }
}
