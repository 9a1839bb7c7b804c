/**
 * The push index in the app's table through the real @azure/data-tables against Azurite: rows
 * of the last scan count, earlier ones do not and are deleted, keys hold whatever the names, and
 * the alert rows of the same table are never touched.
 */
import { TableClient } from '@azure/data-tables';
import { describe, expect, it } from 'vitest';
import { TableStateStore } from '../../src/alerts/state/tableStateStore.js';
import { TablePushIndex } from '../../src/push/tablePushIndex.js';
import type { IndexEntry } from '../../src/push/pushIndex.js';
import { alertRecord, finding } from '../support/alertFixtures.js';
import { useAzurite } from '../support/useAzurite.js';

const azurite = useAzurite();

let tables = 0;
function newIndex(): { index: TablePushIndex; table: TableClient; name: string } {
  const name = `pushindex${++tables}`;
  return { index: new TablePushIndex({ connectionString: azurite().connectionString }, name), table: TableClient.fromConnectionString(azurite().connectionString, name, { allowInsecureConnection: true }), name };
}

const CLUSTER = '/subscriptions/s/resourceGroups/rg/providers/Microsoft.ContainerService/managedClusters/prod-aks';
const entry = (repository: string, graceMs = 180_000, registry = 'contoso.azurecr.io'): IndexEntry => ({ registry, repository, uses: [{ tagPattern: 'prod-*', gracePeriodMs: graceMs }], overflow: false, longestGraceMs: graceMs });

describe('TablePushIndex', () => {
  it('reads back the repositories of the last scan, and nothing for one it did not run', async () => {
    const { index } = newIndex();
    await index.write({ resourceId: CLUSTER, name: 'prod', scanAt: 1000, entries: [entry('a/app'), entry('b/app', 60_000)] });
    const clusters = await index.clusters();
    expect(clusters).toEqual([{ resourceId: CLUSTER, name: 'prod', scanAt: 1000 }]);
    const [prod] = clusters as [(typeof clusters)[number]];
    expect(await index.entry(prod, 'contoso.azurecr.io', 'b/app')).toEqual(entry('b/app', 60_000));
    expect(await index.entry(prod, 'contoso.azurecr.io', 'c/app')).toBeNull();
  });

  it('forgets, and deletes, a repository the next scan no longer ran', async () => {
    const { index, table } = newIndex();
    await index.write({ resourceId: CLUSTER, name: 'prod', scanAt: 1000, entries: [entry('a/app'), entry('b/app')] });
    await index.write({ resourceId: CLUSTER, name: 'prod', scanAt: 2000, entries: [entry('b/app', 30_000)] });
    const [prod] = (await index.clusters()) as [{ resourceId: string; name: string; scanAt: number }];
    expect(prod.scanAt).toBe(2000);
    expect(await index.entry(prod, 'contoso.azurecr.io', 'a/app')).toBeNull();
    expect(await index.entry(prod, 'contoso.azurecr.io', 'b/app')).toEqual(entry('b/app', 30_000));
    const rows = [];
    for await (const row of table.listEntities()) rows.push(row);
    expect(rows.filter((r) => String(r.partitionKey).startsWith('_push-index_'))).toHaveLength(1);
  });

  it('ignores rows older than the last scan, as a scan that died half-way leaves them', async () => {
    const { index } = newIndex();
    await index.write({ resourceId: CLUSTER, name: 'prod', scanAt: 1000, entries: [entry('a/app')] });
    const [prod] = (await index.clusters()) as [{ resourceId: string; name: string; scanAt: number }];
    expect(await index.entry({ ...prod, scanAt: 1500 }, 'contoso.azurecr.io', 'a/app')).toBeNull();
  });

  it('writes more rows than one transaction holds, and keys for any names', async () => {
    const { index } = newIndex();
    const odd = ['team/#app?', 'x'.repeat(300), 'über/ünïcode', "quote'd/app"];
    const entries = [...Array.from({ length: 230 }, (_, i) => entry(`team/app-${i}`)), ...odd.map((r) => entry(r)), entry('app', 1, 'localhost:5000')];
    await index.write({ resourceId: `${CLUSTER}-${'y'.repeat(300)}`, name: 'long', scanAt: 5, entries });
    const [long] = (await index.clusters()) as [{ resourceId: string; name: string; scanAt: number }];
    for (const e of [...odd.map((r) => entry(r)), entry('team/app-229'), entry('app', 1, 'localhost:5000')]) expect(await index.entry(long, e.registry, e.repository)).toEqual(e);
  });

  it('keeps out of the alert rows sharing the table, and they out of it', async () => {
    const { index, name } = newIndex();
    const alerts = new TableStateStore({ connectionString: azurite().connectionString, tableName: name });
    await alerts.insert(alertRecord('prod', finding({ name: 'api', namespace: 'payments' })));
    await index.write({ resourceId: CLUSTER, name: 'prod', scanAt: 1000, entries: [entry('a/app')] });
    const snapshot = await alerts.load(['prod', '_push-clusters', `_push-index_${CLUSTER}`]);
    expect(snapshot.alerts.map((a) => a.record.workloadName)).toEqual(['api']);
    expect([...snapshot.unreadable, ...snapshot.newer]).toEqual([]);
    expect(await index.clusters()).toHaveLength(1);
  });

  it('calls a row this version cannot read unreadable', async () => {
    const { index, table } = newIndex();
    await index.write({ resourceId: CLUSTER, name: 'prod', scanAt: 1000, entries: [entry('a/app')] });
    for await (const row of table.listEntities()) if (row.repository === 'a/app') await table.updateEntity({ partitionKey: row.partitionKey ?? '', rowKey: row.rowKey ?? '', uses: 'not json' }, 'Merge');
    const [prod] = (await index.clusters()) as [{ resourceId: string; name: string; scanAt: number }];
    expect(await index.entry(prod, 'contoso.azurecr.io', 'a/app')).toBe('unreadable');
  });
});
