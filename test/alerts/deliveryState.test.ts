/**
 * Delivery when the alert state refuses a write or two runs race for it: one item's failure
 * is that item's, and each item is sent once.
 */
import { describe, expect, it } from 'vitest';
import { deliveryProblem } from '../../src/alerts/deliveryResult.js';
import type { StateStore } from '../../src/alerts/state/stateStore.js';
import type { TableStateStore } from '../../src/alerts/state/tableStateStore.js';
import type { AlertRecord } from '../../src/model/alert.js';
import { alertRecord, cluster, finding, HOUR, MINUTE, report } from '../support/alertFixtures.js';
import { api, listed, prod, useDeliveryHarness } from '../support/deliveryHarness.js';

const harness = useDeliveryHarness('deliverystate');

describe('alert lifecycle with a Slack app (bot token) and table state', () => {
  describe('one item the store refuses is that item’s failure', () => {
    /** The store, except that writes `poisoned` picks carry a value Azure refuses (a property over 64 KiB: HTTP 400). */
    function refusing(store: TableStateStore, poisoned: (r: AlertRecord, op: 'insert' | 'replace') => boolean): StateStore {
      const poison = (r: AlertRecord): AlertRecord => ({ ...r, channel: 'c'.repeat(40_000) });
      return {
        description: store.description,
        load: (clusters) => store.load(clusters),
        insert: (r) => store.insert(poisoned(r, 'insert') ? poison(r) : r),
        replace: (r, etag) => store.replace(poisoned(r, 'replace') ? poison(r) : r, etag),
        remove: (key, etag) => store.remove(key, etag),
      };
    }
    const bad = finding({ name: 'bad', channel: 'team-b' });
    const twoClusters = () => report(cluster('prod-aks', [api, finding({ name: 'web' }), bad]), cluster('dev-aks', [finding({ name: 'worker' })]));

    it('a claim answered 400: every other alert is delivered, the item counted and logged, and sent by the next scan', async () => {
      const h = await harness();
      const store = refusing(h.store, (r, op) => op === 'insert' && r.workloadName === 'bad');
      const result = await h.scan(twoClusters(), { store });
      expect(result).toMatchObject({ new: 3, failed: 1, stateErrors: 1 });
      expect(result.failures).toEqual([{ stage: 'claim', reason: expect.stringMatching(/^alert state table: claiming an alert failed \(HTTP 400/), items: 1 }]);
      expect(deliveryProblem(result)).toMatch(/^1 alert item\(s\) not delivered, 1 alert state write\(s\) failed: claim alert state table/);
      expect(h.slack.posts.flatMap((p) => listed(p)).sort()).toEqual(['api', 'web', 'worker']);
      expect(h.logger.lines.some((l) => l.startsWith('error alert state: claim failed for one item') && l.includes('"item":"prod-aks/payments_Deployment_bad_app"'))).toBe(true);

      h.clock.advance(5 * MINUTE);
      expect(await h.scan(twoClusters())).toMatchObject({ new: 1, unchanged: 3, failed: 0 });
      expect(listed(h.slack.posts.at(-1))).toEqual(['bad']);
    });

    it('a commit answered 400 after Slack accepted the post: counted and logged, the other items advance', async () => {
      const h = await harness();
      const store = refusing(h.store, (r, op) => op === 'replace' && r.workloadName === 'bad' && r.claim === null);
      const result = await h.scan(twoClusters(), { store });
      expect(result).toMatchObject({ new: 4, sent: 4, failed: 0, stateErrors: 1 });
      expect(result.failures).toEqual([{ stage: 'commit', reason: expect.stringMatching(/HTTP 400/), items: 1 }]);
      expect(deliveryProblem(result)).not.toBeNull();
      const stored = await h.state();
      expect(stored.filter((s) => s.record.announcedTarget === 'prod-789').map((s) => s.record.workloadName).sort()).toEqual(['api', 'web']);
    });

    it('a release answered 400 after a failed post: both counted, the claim expires by itself', async () => {
      const h = await harness();
      h.slack.failNext(4, 500);
      const store = refusing(h.store, (r, op) => op === 'replace' && r.claim === null);
      const result = await h.scan(prod(bad), { store });
      expect(result).toMatchObject({ sent: 0, failed: 1, stateErrors: 1 });
      expect(result.failures).toEqual([
        { stage: 'post', reason: 'http_500', items: 1 },
        { stage: 'release', reason: expect.stringMatching(/HTTP 400/), items: 1 },
      ]);
      h.clock.advance(5 * MINUTE);
      expect(await h.scan(prod(bad))).toMatchObject({ new: 1, failed: 0 });
    });
  });

  it('two scans racing on one state table send each item exactly once', async () => {
    const h = await harness();
    // Both runs read the state before either claims anything: the worst case.
    let arrived = 0;
    let release: () => void = () => {};
    const bothLoaded = new Promise<void>((resolve) => (release = resolve));
    const racingStore: StateStore = {
      description: 'racing',
      load: async (clusters) => {
        const records = await h.store.load(clusters);
        arrived += 1;
        if (arrived === 2) release();
        await bothLoaded;
        return records;
      },
      insert: (r) => h.store.insert(r),
      replace: (r, e) => h.store.replace(r, e),
      remove: (k, e) => h.store.remove(k, e),
    };
    const findings = Array.from({ length: 25 }, (_, i) => finding({ name: `svc-${String(i).padStart(2, '0')}`, channel: i % 2 ? 'team-a' : 'team-b' }));
    const [one, two] = await Promise.all([
      h.scan(prod(...findings), { store: racingStore, runId: 'run-one' }),
      h.scan(prod(...findings), { store: racingStore, runId: 'run-two' }),
    ]);
    expect(arrived).toBe(2);
    expect((one?.new ?? 0) + (two?.new ?? 0)).toBe(25);
    expect((one?.skipped ?? 0) + (two?.skipped ?? 0)).toBe(25);
    const announced = h.slack.posts.flatMap((p) => listed(p));
    expect(announced.sort()).toEqual(findings.map((f) => f.workload.name).sort());

    // And the reminder, six hours later, is also sent once.
    h.clock.advance(6 * HOUR);
    arrived = 0;
    const before = h.slack.posts.length;
    const secondRace = new Promise<void>((resolve) => (release = resolve));
    racingStore.load = async (clusters) => {
      const records = await h.store.load(clusters);
      arrived += 1;
      if (arrived === 2) release();
      await secondRace;
      return records;
    };
    await Promise.all([h.scan(prod(...findings), { store: racingStore }), h.scan(prod(...findings), { store: racingStore })]);
    expect(h.slack.posts.slice(before).flatMap((p) => listed(p)).sort()).toEqual(findings.map((f) => f.workload.name).sort());
  });

  it('leaves an item claimed by a run that died alone until the claim expires, then sends it', async () => {
    const h = await harness();
    // A run claimed the item and crashed before posting.
    const expiresAt = new Date(h.clock.now() + 5 * MINUTE).toISOString();
    await h.store.insert(alertRecord('prod-aks', api, { laggingSince: api.latestUpdatedAt as string, claim: { owner: 'crashed-run', expiresAt } }));
    h.clock.advance(4 * MINUTE);
    expect(await h.scan(prod(api))).toMatchObject({ sent: 0, skipped: 1 });
    expect(h.slack.posts).toHaveLength(0);
    h.clock.advance(MINUTE);
    expect(await h.scan(prod(api))).toMatchObject({ new: 1 });
    expect(h.slack.posts).toHaveLength(1);
  });
});
