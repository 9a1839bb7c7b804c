/**
 * Rows the app cannot read never silence an alert. Rows of an older or unknown layout, and rows
 * that do not parse (a hand edit, a corrupt finding), are treated as absent: overwritten by the
 * lagging workload at their key, removed otherwise, each with a warning naming it. Rows a newer
 * layout wrote are left alone and counted. Against Azurite (rows written with the SDK, as
 * another version or a person would) and against the CLI's state file.
 */
import { writeFileSync, readFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startSlackWebhookReceiver } from '../../../emulators/slackWebhook.js';
import { alertKeyOf, partitionKeyFor, rowKeyFor } from '../../../src/alerts/alertKey.js';
import { deliverAlerts } from '../../../src/alerts/deliver.js';
import { FileStateStore } from '../../../src/alerts/state/fileStateStore.js';
import type { StateStore } from '../../../src/alerts/state/stateStore.js';
import type { Finding } from '../../../src/model/finding.js';
import { WebhookSender } from '../../../src/notify/webhookSender.js';
import { cluster, fakeSleep, finding, HOUR, MINUTE, recordingLogger, report, T0, TestClock } from '../../support/alertFixtures.js';
import { useAzuriteTables } from '../../support/azuriteTables.js';

const tables = useAzuriteTables('foreign');
const dir = mkdtempSync(join(tmpdir(), 'acr-aks-sync-foreign-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function deliverer(store: StateStore) {
  const webhook = await startSlackWebhookReceiver();
  tables.afterTest(() => webhook.close());
  const logger = recordingLogger();
  const clock = new TestClock();
  const sender = new WebhookSender({ webhookUrl: webhook.url, username: 'acr-aks-sync', iconEmoji: 'warning' });
  const scan = (...findings: Finding[]) =>
    deliverAlerts(report(cluster('prod-aks', findings)), { store, sender, defaultChannel: 'platform-alerts', repeatIntervalMs: 6 * HOUR, notifyResolved: true, logger, now: clock.now, sleep: fakeSleep().sleep });
  return { webhook, logger, clock, scan };
}

const keysOf = (f: Finding) => {
  const key = alertKeyOf('prod-aks', f);
  return { partitionKey: partitionKeyFor(key.cluster), rowKey: rowKeyFor(key), ...key };
};
/** A claim that has not expired: before, an unreadable row like this counted as "claimed by another run" forever. */
const liveClaim = { claimOwner: 'someone', claimExpiresAt: new Date(T0.getTime() + 365 * 24 * HOUR).toISOString() };

describe('alert table rows this version cannot read', () => {
  it('overwrites a row of an unknown layout or a corrupt finding at a lagging workload, warning with its name, and alerts', async () => {
    const store = tables.newStore();
    const table = tables.tableOf(store);
    await table.createTable();
    const old = finding({ name: 'old-layout' });
    const corrupt = finding({ name: 'corrupt' });
    await table.createEntity({ ...keysOf(old), ...liveClaim, note: 'written before schema versions' });
    await table.createEntity({ ...keysOf(corrupt), ...liveClaim, schemaVersion: 1, channel: 'team-a', finding: '{not json', target: 'prod-789', laggingSince: T0.toISOString() });
    const h = await deliverer(store);

    const result = await h.scan(old, corrupt);
    expect(result).toMatchObject({ new: 2, skipped: 0, unreadableRows: 2, newerRows: 0, failed: 0 });
    const warnings = h.logger.lines.filter((l) => l.startsWith('warn alert state row unreadable'));
    expect(warnings.some((l) => l.includes(`prod-aks/${keysOf(old).rowKey}`) && l.includes('no schema version'))).toBe(true);
    expect(warnings.some((l) => l.includes(`prod-aks/${keysOf(corrupt).rowKey}`) && l.includes('its finding is not JSON'))).toBe(true);
    // Overwritten with readable records: the next scan knows both were announced.
    h.clock.advance(5 * MINUTE);
    expect(await h.scan(old, corrupt)).toMatchObject({ sent: 0, unchanged: 2, unreadableRows: 0 });
  });

  it('removes an unreadable row no lagging workload needs', async () => {
    const store = tables.newStore();
    const table = tables.tableOf(store);
    await table.createTable();
    const edited = finding({ name: 'edited' });
    await table.createEntity({ ...keysOf(edited), schemaVersion: 1, channel: 'team-a' }); // a hand edit: columns missing
    const h = await deliverer(store);
    expect(await h.scan(finding({ name: 'api', status: 'in-sync' }))).toMatchObject({ sent: 0, unreadableRows: 1, stateErrors: 0 });
    expect(h.logger.lines.some((l) => l.startsWith('warn alert state row unreadable') && l.includes('not a valid alert record'))).toBe(true);
    const left = [];
    for await (const e of table.listEntities()) left.push(e);
    expect(left).toEqual([]);
  });

  it('leaves a newer layout’s row alone, counting and naming it, and still alerts the others', async () => {
    const store = tables.newStore();
    const table = tables.tableOf(store);
    await table.createTable();
    const future = finding({ name: 'future' });
    await table.createEntity({ ...keysOf(future), schemaVersion: 2, somethingNew: 'kept' });
    const before = await table.getEntity(keysOf(future).partitionKey, keysOf(future).rowKey);
    const h = await deliverer(store);
    const result = await h.scan(future, finding({ name: 'api' }));
    expect(result).toMatchObject({ new: 1, newerRows: 1, unreadableRows: 0, failed: 0 });
    expect(h.logger.lines.some((l) => l.startsWith('warn alert state row written by a newer acr-aks-sync') && l.includes('schema version 2'))).toBe(true);
    const after = await table.getEntity(keysOf(future).partitionKey, keysOf(future).rowKey);
    expect(after.etag).toBe(before.etag);
    expect(after).toMatchObject({ schemaVersion: 2, somethingNew: 'kept' });
    expect(h.webhook.messages.map((m) => String(m.text))).toEqual([expect.not.stringContaining('future')]);
  });
});

describe('state file entries this version cannot read', () => {
  it('overwrites unreadable entries at lagging workloads, drops the rest, and writes a newer entry back as it was', async () => {
    const path = join(dir, 'foreign.json');
    const old = finding({ name: 'old' });
    const future = finding({ name: 'future' });
    const newerEntry = { schemaVersion: 2, record: { ...alertKeyOf('prod-aks', future), whatever: [1, 2] }, etag: 'e-future' };
    writeFileSync(
      path,
      JSON.stringify({
        version: 1,
        alerts: [
          { record: { ...alertKeyOf('prod-aks', old), claim: { owner: 'x', expiresAt: '2999-01-01T00:00:00.000Z' } }, etag: 'e-old' },
          newerEntry,
          'garbage',
        ],
      }),
    );
    const h = await deliverer(new FileStateStore({ path }));
    const result = await h.scan(old, future);
    expect(result).toMatchObject({ new: 1, unreadableRows: 2, newerRows: 1, failed: 0, stateErrors: 0 });
    const saved = JSON.parse(readFileSync(path, 'utf8')) as { alerts: unknown[] };
    expect(saved.alerts).toHaveLength(2);
    expect(saved.alerts).toContainEqual(newerEntry);
    expect(saved.alerts).toContainEqual(expect.objectContaining({ schemaVersion: 1, record: expect.objectContaining({ workloadName: 'old', announcedTarget: 'prod-789' }) }));
  });

  it('refuses a file a newer version wrote, naming it, and sends nothing', async () => {
    const path = join(dir, 'newer-file.json');
    writeFileSync(path, JSON.stringify({ version: 2, alerts: [] }));
    const h = await deliverer(new FileStateStore({ path }));
    const result = await h.scan(finding({ name: 'api' }));
    expect(result.error).toMatch(/alert state could not be read \(file .*newer-file\.json\), nothing was sent: .* was written by a newer acr-aks-sync \(state file version 2/);
    expect(h.webhook.messages).toEqual([]);
  });
});
