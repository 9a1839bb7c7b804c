/**
 * The one way the entry points build a state store: the functions keep alert state in a table
 * of the app's own storage account, the CLI in the file named by `--state`, and a CLI scan
 * without it in memory (nothing kept).
 */
import { resolveAppStorage } from '../../storage/appStorage.js';
import { FileStateStore } from './fileStateStore.js';
import { MemoryStateStore } from './memoryStateStore.js';
import type { StateStore } from './stateStore.js';
import { TableStateStore } from './tableStateStore.js';

/** Where the alert state lives. */
export type StateStoreLocation =
  /** Table `tableName` in the storage account the `AzureWebJobsStorage*` settings of `env` name (throws AppStorageConfigError when none). */
  | { kind: 'table'; tableName: string; env: Record<string, string | undefined> }
  | { kind: 'file'; path: string }
  | { kind: 'memory' };

export function createStateStore(location: StateStoreLocation): StateStore {
  switch (location.kind) {
    case 'table':
      return new TableStateStore({ ...resolveAppStorage(location.env, 'table', 'alert state'), tableName: location.tableName });
    case 'file':
      return new FileStateStore({ path: location.path });
    case 'memory':
      return new MemoryStateStore();
  }
}
