/**
 * Azurite for one test file's alert tests: started once for the file, a fresh alert table for
 * each harness, and whatever a test registers closed after it.
 */
import { afterAll, afterEach, beforeAll } from 'vitest';
import { TableClient } from '@azure/data-tables';
import { startAzurite, type Azurite } from '../../emulators/azurite.js';
import { TableStateStore } from '../../src/alerts/state/tableStateStore.js';

export interface AzuriteTables {
  newStore(): TableStateStore;
  /** The store's table through the SDK directly, to write rows the app did not. */
  tableOf(store: TableStateStore): TableClient;
  afterTest(close: () => Promise<void>): void;
}

export function useAzuriteTables(tablePrefix: string): AzuriteTables {
  let azurite: Azurite | undefined;
  let tables = 0;
  const names = new Map<TableStateStore, string>();
  const cleanups: Array<() => Promise<void>> = [];
  beforeAll(async () => {
    azurite = await startAzurite();
  });
  afterAll(async () => {
    await azurite?.close();
  });
  afterEach(async () => {
    while (cleanups.length) await cleanups.pop()?.();
  });
  return {
    newStore() {
      if (!azurite) throw new Error('Azurite is not running: call newStore() inside a test');
      tables += 1;
      const store = new TableStateStore({ connectionString: azurite.connectionString, tableName: `${tablePrefix}${tables}` });
      names.set(store, `${tablePrefix}${tables}`);
      return store;
    },
    tableOf(store) {
      const name = names.get(store);
      if (!azurite || !name) throw new Error('not a store of this fixture');
      return TableClient.fromConnectionString(azurite.connectionString, name, { allowInsecureConnection: true });
    },
    afterTest: (close) => void cleanups.push(close),
  };
}
