/**
 * The table state store through the real @azure/data-tables against Azurite: the table is
 * created on first use, records round-trip, and every write is ETag-conditional.
 */
import { TableClient } from '@azure/data-tables';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAzurite, type Azurite } from '../../../emulators/azurite.js';
import { alertKeyOf } from '../../../src/alerts/alertKey.js';
import { createStateStore } from '../../../src/alerts/state/createStateStore.js';
import { TableStateStore } from '../../../src/alerts/state/tableStateStore.js';
import type { AlertRecord } from '../../../src/model/alert.js';
import { AppStorageConfigError } from '../../../src/storage/appStorage.js';
import { alertRecord, finding, T0 } from '../../support/alertFixtures.js';

let azurite: Azurite;
beforeAll(async () => {
  azurite = await startAzurite({ services: ['table', 'queue'] });
});
afterAll(async () => {
  await azurite?.close();
});

function record(clusterName: string, name: string, over: Partial<AlertRecord> = {}): AlertRecord {
  return alertRecord(clusterName, finding({ name, namespace: 'payments' }), { claim: { owner: 'run-1', expiresAt: T0.toISOString() }, ...over });
}

describe('startAzurite', () => {
  it('starts the table and queue services on free ports and stops them on close', async () => {
    const other = await startAzurite({ services: ['table', 'queue'] });
    expect(other.tableUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/devstoreaccount1$/);
    expect(other.queueUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/devstoreaccount1$/);
    expect(other.tableUrl).not.toBe(azurite.tableUrl);
    const tableClient = TableClient.fromConnectionString(other.connectionString, 'probe', { allowInsecureConnection: true });
    await tableClient.createTable();
    const queue = await fetch(`${other.queueUrl}?comp=list`);
    expect(queue.status).toBeLessThan(500);
    await other.close();
    await expect(fetch(`${other.tableUrl}/Tables`)).rejects.toThrow();
    await expect(fetch(`${other.queueUrl}?comp=list`)).rejects.toThrow();
  });
});

describe('TableStateStore', () => {
  it('creates its table, and round-trips records per cluster partition', async () => {
    const store = new TableStateStore({ connectionString: azurite.connectionString, tableName: 'roundtrip' });
    const a = record('prod-aks', 'api', { thread: { channelId: 'C0TEAMA00001', ts: '1700000000.000100' }, lastSentAt: T0.toISOString(), announcedTarget: 'prod-789', claim: null });
    const b = record('west europe/aks #2', 'web');
    expect(await store.insert(a)).toEqual(expect.any(String));
    expect(await store.insert(b)).toEqual(expect.any(String));
    const loaded = (await store.load(['prod-aks'])).alerts;
    expect(loaded.map((s) => s.record)).toEqual([a]);
    expect((await store.load(['west europe/aks #2'])).alerts.map((s) => s.record)).toEqual([b]);
    expect(await store.load(['unknown'])).toEqual({ alerts: [], unreadable: [], newer: [] });

    const table = TableClient.fromConnectionString(azurite.connectionString, 'roundtrip', { allowInsecureConnection: true });
    const entities = [];
    for await (const e of table.listEntities()) entities.push(e);
    expect(entities.map((e) => e.partitionKey).sort()).toEqual(['prod-aks', 'west~20europe~2Faks~20~232']);
  });

  it('lets only one writer win: insert conflicts, stale ETags and deleted records lose', async () => {
    const store = new TableStateStore({ connectionString: azurite.connectionString, tableName: 'conditional' });
    const a = record('prod-aks', 'api');
    const first = await store.insert(a);
    expect(first).not.toBeNull();
    expect(await store.insert(a)).toBeNull();

    const second = await store.replace({ ...a, claim: null }, first as string);
    expect(second).not.toBeNull();
    expect(await store.replace({ ...a, channel: 'other' }, first as string)).toBeNull();
    expect(await store.remove(a, first as string)).toBe(false);
    expect((await store.load(['prod-aks'])).alerts[0]?.record.claim).toBeNull();

    expect(await store.remove(a, second as string)).toBe(true);
    expect((await store.load(['prod-aks'])).alerts).toEqual([]);
    expect(await store.replace(a, second as string)).toBeNull();
    expect(await store.remove(a, second as string)).toBe(false);
  });

  it('stores, loads, replaces and removes alerts whatever the cluster names them (Azurite enforces the key and property limits)', async () => {
    const store = new TableStateStore({ connectionString: azurite.connectionString, tableName: 'hostilekeys' });
    const names = ['x'.repeat(600), 'y'.repeat(100_000), '名'.repeat(253), 'a/b\\c#d?e\u0000\n\u007f\u0085', 'z'.repeat(5_000) + '1', 'z'.repeat(5_000) + '2'];
    const hostile = names.map((name) => {
      const f = finding({ name, namespace: name.length > 1_000 ? 'payments' : name, container: name });
      return record('prod-aks', 'unused', { ...alertKeyOf('prod-aks', f), finding: f, claim: null });
    });
    const etags = [];
    for (const r of hostile) etags.push(await store.insert(r));
    expect(etags.every((e) => typeof e === 'string')).toBe(true);
    const { alerts: loaded } = await store.load(['prod-aks']);
    expect(loaded).toHaveLength(names.length);
    const byName = new Map(loaded.map((s) => [s.record.workloadName, s]));
    for (const r of hostile) {
      const stored = byName.get(r.workloadName);
      expect(stored?.record).toMatchObject({ namespace: r.namespace, workloadName: r.workloadName, container: r.container });
      // The finding comes back whole, or (beyond Azure's 64 KiB per property) with each value cut.
      expect(stored?.record.finding.workload.name.slice(0, 200)).toBe(r.finding.workload.name.slice(0, 200));
    }
    expect(byName.get(hostile[1]!.workloadName)?.record.finding.workload.name).toHaveLength(256);
    for (const [i, r] of hostile.entries()) {
      const next = await store.replace({ ...r, lastSentAt: T0.toISOString() }, etags[i] as string);
      expect(next).not.toBeNull();
      expect(await store.remove(r, next as string)).toBe(true);
    }
    expect((await store.load(['prod-aks'])).alerts).toEqual([]);
  });

  it('is built from the Functions storage settings: a connection string, or the managed identity', async () => {
    const fromConnection = createStateStore({ kind: 'table', tableName: 'fromenv', env: { AzureWebJobsStorage: azurite.connectionString } });
    expect(await fromConnection.insert(record('prod-aks', 'api'))).not.toBeNull();
    expect(fromConnection.description).toBe('table fromenv (connection string)');

    const byAccount = createStateStore({ kind: 'table', tableName: 'acrsyncstate', env: { AzureWebJobsStorage__accountName: 'mystorage', AzureWebJobsStorage__clientId: '00000000-0000-0000-0000-000000000001' } });
    expect(byAccount.description).toBe('table acrsyncstate at mystorage.table.core.windows.net (managed identity)');
    const byUri = createStateStore({ kind: 'table', tableName: 'acrsyncstate', env: { AzureWebJobsStorage__tableServiceUri: 'https://other.table.core.windows.net/' } });
    expect(byUri.description).toBe('table acrsyncstate at other.table.core.windows.net (managed identity)');

    expect(() => createStateStore({ kind: 'table', tableName: 'acrsyncstate', env: {} })).toThrow(AppStorageConfigError);
    expect(() => createStateStore({ kind: 'table', tableName: 'acrsyncstate', env: { AzureWebJobsStorage__tableServiceUri: 'http://plain.example' } })).toThrow(/https/);
    const secret = 'AccountKey-is-secret-xyz';
    expect(() => createStateStore({ kind: 'table', tableName: 'acrsyncstate', env: { AzureWebJobsStorage: secret } })).toThrow(/not a storage connection string/);
    try {
      createStateStore({ kind: 'table', tableName: 'acrsyncstate', env: { AzureWebJobsStorage: secret } });
    } catch (error) {
      expect((error as Error).message).not.toContain(secret);
    }
  });

  it('reports an unreachable account without repeating the connection string', async () => {
    const dead = azurite.connectionString.replace(/TableEndpoint=http:\/\/127\.0\.0\.1:\d+/, 'TableEndpoint=http://127.0.0.1:1');
    const store = new TableStateStore({ connectionString: dead, tableName: 'unreachable', maxRetries: 0 });
    const error = await store.load(['prod-aks']).then(
      () => null,
      (e: unknown) => e as Error,
    );
    expect(error?.message).toMatch(/^alert state table: creating the table failed/);
    expect(error?.message).not.toContain('AccountKey');
  });
});
