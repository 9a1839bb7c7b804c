/**
 * The push records in the app's table against Azurite: written only when absent or unchanged
 * since read (so of two instances one wins), and bounded in time.
 */
import { TableClient } from '@azure/data-tables';
import { describe, expect, it } from 'vitest';
import type { ImagePush } from '../../src/model/push.js';
import { RECORD_RETENTION_MS, TablePushRecords } from '../../src/push/tablePushRecords.js';
import { useAzurite } from '../support/useAzurite.js';

const azurite = useAzurite();

let tables = 0;
const push = (tag: string, eventId = `e-${tag}`): ImagePush => ({ eventId, registry: 'contoso.azurecr.io', repository: 'team/app', tag, digest: null, pushedAt: '2026-11-30T10:00:00.000Z' });
const record = (p: ImagePush, scheduled = false) => ({ eventId: p.eventId, pushedAt: p.pushedAt, scheduled });

describe('TablePushRecords', () => {
  it('inserts a record when none is there, and loses to a writer that was first', async () => {
    const records = new TablePushRecords({ connectionString: azurite().connectionString }, `pushrecords${++tables}`);
    const p = push('prod-1');
    expect(await records.read(p)).toBeNull();
    const etag = await records.write(p, record(p));
    expect(etag).toEqual(expect.any(String));
    expect(await records.write(p, record(p))).toBeNull();
    expect(await records.read(p)).toEqual({ record: record(p), etag });
  });

  it('replaces a record only on the ETag it was read with', async () => {
    const records = new TablePushRecords({ connectionString: azurite().connectionString }, `pushrecords${++tables}`);
    const p = push('prod-1');
    const first = (await records.write(p, record(p))) as string;
    const second = await records.write(p, record(p, true), first);
    expect(second).toEqual(expect.any(String));
    expect(await records.write(p, record(p, false), first)).toBeNull();
    expect((await records.read(p))?.record.scheduled).toBe(true);
  });

  it("deletes a repository's records not written for a week, when it writes another", async () => {
    let now = Date.parse('2026-11-01T00:00:00Z');
    const name = `pushrecords${++tables}`;
    const records = new TablePushRecords({ connectionString: azurite().connectionString }, name, () => now);
    await records.write(push('prod-1'), record(push('prod-1')));
    now += RECORD_RETENTION_MS + 1;
    await records.write(push('prod-2'), record(push('prod-2')));
    expect(await records.read(push('prod-1'))).toBeNull();
    expect(await records.read(push('prod-2'))).not.toBeNull();
    const rows = [];
    for await (const row of TableClient.fromConnectionString(azurite().connectionString, name, { allowInsecureConnection: true }).listEntities()) rows.push(row.rowKey);
    expect(rows).toEqual(['prod-2']);
  });
});
