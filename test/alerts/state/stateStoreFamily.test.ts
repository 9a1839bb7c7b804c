/**
 * Every state store honours one contract (state/stateStore.ts): insert only when absent,
 * replace and remove only on the ETag read, a new ETag on every write, and a lost race is
 * null or false, not an error. The memory and file stores are built as the entry points build
 * them (createStateStore); the table store against Azurite.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createStateStore } from '../../../src/alerts/state/createStateStore.js';
import type { StateStore } from '../../../src/alerts/state/stateStore.js';
import { alertRecord, finding, T0 } from '../../support/alertFixtures.js';
import { useAzuriteTables } from '../../support/azuriteTables.js';

const tables = useAzuriteTables('family');
const dir = mkdtempSync(join(tmpdir(), 'acr-aks-sync-family-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const api = finding({ name: 'api' });
const record = alertRecord('prod-aks', api);

const members: Array<[string, () => StateStore, RegExp]> = [
  ['memory', () => createStateStore({ kind: 'memory' }), /^memory \(not kept\)$/],
  ['file', () => createStateStore({ kind: 'file', path: join(dir, `${Math.random().toString(36).slice(2)}.json`) }), /^file .*\.json$/],
  ['table', () => tables.newStore(), /^table family\d+ \(connection string\)$/],
];

describe.each(members)('the %s state store', (_name, build, description) => {
  it('describes itself for logs', () => {
    expect(build().description).toMatch(description);
  });

  it('inserts only when absent, writes only on the ETag read, and gives every write a new ETag', async () => {
    const store = build();
    const first = await store.insert(record);
    expect(first).toEqual(expect.any(String));
    expect(await store.insert({ ...record, channel: 'other' })).toBeNull();

    const second = await store.replace({ ...record, lastSentAt: T0.toISOString() }, first as string);
    expect(second).toEqual(expect.any(String));
    expect(second).not.toBe(first);
    expect(await store.replace(record, first as string)).toBeNull();
    expect(await store.remove(record, first as string)).toBe(false);
    expect((await store.load(['prod-aks'])).alerts).toEqual([{ record: { ...record, lastSentAt: T0.toISOString() }, etag: second }]);
    expect((await store.load(['other-aks'])).alerts).toEqual([]);

    expect(await store.remove(record, second as string)).toBe(true);
    expect(await store.load(['prod-aks'])).toEqual({ alerts: [], unreadable: [], newer: [] });
    expect(await store.replace(record, second as string)).toBeNull();
    expect(await store.remove(record, second as string)).toBe(false);
    expect(await store.insert(record)).toEqual(expect.any(String));
  });

  it('keeps what it stored apart from the caller’s objects', async () => {
    const store = build();
    const mine = structuredClone(record);
    const etag = await store.insert(mine);
    mine.channel = 'changed after the insert';
    const [loaded] = (await store.load(['prod-aks'])).alerts;
    expect(loaded).toEqual({ record, etag });
    if (loaded) loaded.record.channel = 'changed after the load';
    expect((await store.load(['prod-aks'])).alerts).toEqual([{ record, etag }]);
  });
});
