/** The one way the entry points build a status store: the functions' table (STATE_TABLE of the app's storage account), or memory (the CLI). */
import { resolveAppStorage } from '../storage/appStorage.js';
import { MemoryStatusStore, type StatusStore } from './statusStore.js';
import { TableStatusStore } from './tableStatusStore.js';

export type StatusStoreLocation =
  /** Table `tableName` in the storage account the `AzureWebJobsStorage*` settings of `env` name. */
  { kind: 'table'; tableName: string; env: Record<string, string | undefined> } | { kind: 'memory' };

/**
 * The table store, its storage account resolved on first use: without one (AppStorageConfigError),
 * saving a status fails and is logged while the scan and its report stand (a dry run needs no
 * storage otherwise), and the status page answers 503 with the reason.
 */
function tableOnFirstUse(tableName: string, env: Record<string, string | undefined>): StatusStore {
  let store: TableStatusStore | undefined;
  const table = (): TableStatusStore => (store ??= new TableStatusStore({ ...resolveAppStorage(env, 'table', 'the status page'), tableName }));
  return {
    description: `table ${tableName}`,
    get: async (cluster) => table().get(cluster),
    list: async () => table().list(),
    save: async (status) => table().save(status),
  };
}

export function createStatusStore(location: StatusStoreLocation): StatusStore {
  return location.kind === 'memory' ? new MemoryStatusStore() : tableOnFirstUse(location.tableName, location.env);
}
