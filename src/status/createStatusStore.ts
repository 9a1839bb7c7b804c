/** The one way the entry points build a status store: the functions' table (STATE_TABLE of the app's storage account), or memory (the CLI). */
import { resolveAppStorage } from '../storage/appStorage.js';
import { MemoryStatusStore, type StatusStore } from './statusStore.js';
import { TableStatusStore } from './tableStatusStore.js';

export type StatusStoreLocation =
  /** Table `tableName` in the storage account the `AzureWebJobsStorage*` settings of `env` name (throws AppStorageConfigError when none). */
  { kind: 'table'; tableName: string; env: Record<string, string | undefined> } | { kind: 'memory' };

export function createStatusStore(location: StatusStoreLocation): StatusStore {
  if (location.kind === 'memory') return new MemoryStatusStore();
  return new TableStatusStore({ ...resolveAppStorage(location.env, 'table', 'the status page'), tableName: location.tableName });
}
