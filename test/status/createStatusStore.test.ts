/**
 * The table status store resolves the app's storage account on first use: without one, building
 * it (as every scan does) succeeds and only using it fails, with the error naming the settings.
 */
import { describe, expect, it } from 'vitest';
import { createStatusStore } from '../../src/status/createStatusStore.js';
import { AppStorageConfigError } from '../../src/storage/appStorage.js';
import { clusterStatusOf } from '../../src/status/clusterStatus.js';

describe('createStatusStore', () => {
  it('builds the table store without a storage account, and fails each use with the settings to set', async () => {
    const store = createStatusStore({ kind: 'table', tableName: 'acrsyncstate', env: {} });
    const status = clusterStatusOf({ name: 'prod-aks', ok: true, findings: [], pods: 0, durationMs: 5 }, undefined, { scannedAt: Date.now(), gracePeriodMs: 180_000 });
    await expect(store.save(status)).rejects.toThrow(AppStorageConfigError);
    await expect(store.list()).rejects.toThrow(/AzureWebJobsStorage__tableServiceUri/);
    await expect(store.get('prod-aks')).rejects.toThrow(AppStorageConfigError);
  });
});
