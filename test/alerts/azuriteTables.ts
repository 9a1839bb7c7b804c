/**
 * Azurite for one test file's alert tests: started once for the file, a fresh alert table for
 * each harness, and whatever a test registers closed after it.
 */
import { afterAll, afterEach, beforeAll } from 'vitest';
import { TableStateStore } from '../../src/alerts/tableStateStore.js';
import { startAzurite, type Azurite } from '../emulators/azurite.js';

export function useAzuriteTables(tablePrefix: string): { newStore(): TableStateStore; afterTest(close: () => Promise<void>): void } {
  let azurite: Azurite | undefined;
  let tables = 0;
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
      return new TableStateStore({ connectionString: azurite.connectionString, tableName: `${tablePrefix}${tables}` });
    },
    afterTest: (close) => void cleanups.push(close),
  };
}
