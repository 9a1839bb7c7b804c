/** The alert lifecycle as pure planning: state records + one scan's findings -> what to send. */
import { describe, expect, it } from 'vitest';
import { alertId, alertKeyOf, decodeKeyPart, encodeKeyPart, rowKeyFor } from '../../src/alerts/alertKey.js';
import { planAlerts, type LifecycleOptions } from '../../src/alerts/lifecycle.js';
import type { StoredAlert } from '../../src/alerts/state/stateStore.js';
import type { AlertRecord } from '../../src/model/alert.js';
import type { Finding } from '../../src/model/finding.js';
import { caughtUp, cluster, finding, HOUR, MINUTE, T0 } from '../support/alertFixtures.js';

const options = (over: Partial<LifecycleOptions> = {}): LifecycleOptions => ({
  now: T0,
  repeatIntervalMs: 6 * HOUR,
  notifyResolved: true,
  defaultChannel: 'platform-alerts',
  ...over,
});

/** A record as a delivered alert leaves it. */
function delivered(clusterName: string, f: Finding, over: Partial<AlertRecord> = {}): StoredAlert {
  return {
    etag: 'etag-1',
    record: {
      ...alertKeyOf(clusterName, f),
      channel: f.channel ?? 'platform-alerts',
      finding: f,
      target: f.latestTag ?? '',
      laggingSince: f.latestUpdatedAt ?? T0.toISOString(),
      announcedTarget: f.latestTag,
      lastSentAt: T0.toISOString(),
      thread: { channelId: 'C0TEAMA00001', ts: '1700000000.000100' },
      claim: null,
      ...over,
    },
  };
}

const api = finding({ name: 'api' });

describe('planAlerts', () => {
  it('announces a lagging container the state does not know as new, to its channel', () => {
    const plan = planAlerts({ clusters: [cluster('prod-aks', [api])], records: [] }, options());
    expect(plan.deliveries).toHaveLength(1);
    expect(plan.deliveries[0]).toMatchObject({ action: 'new', channel: 'team-a', previous: null });
    expect(plan.deliveries[0]?.record).toMatchObject({ cluster: 'prod-aks', namespace: 'payments', workloadName: 'api', announcedTarget: null, laggingSince: api.latestUpdatedAt });
  });

  it('moves an announced alert whose channel setting changed: a reminder now, top-level in the new channel, same key', () => {
    const records = [delivered('prod-aks', api)];
    const plan = planAlerts({ clusters: [cluster('prod-aks', [finding({ name: 'api', channel: 'team-b' })])], records }, options({ now: new Date(T0.getTime() + MINUTE) }));
    expect(plan.deliveries.map((d) => [d.action, d.channel, d.id])).toEqual([['reminder', 'team-b', alertId(records[0]!.record)]]);
    expect(plan.deliveries[0]?.record).toMatchObject({ channel: 'team-b', thread: null, announcedTarget: api.latestTag });
  });

  it('names the cluster in messages by its name setting, keeping its key', () => {
    const named = { ...cluster('prod-aks', [api]), settings: { name: { value: 'Production EU', from: 'CLUSTER_SETTINGS.prod-aks.name' }, excludedNamespaces: { value: [], from: 'default' } } };
    const plan = planAlerts({ clusters: [named], records: [] }, options());
    expect(plan.deliveries[0]).toMatchObject({ clusterName: 'Production EU', record: { cluster: 'prod-aks' } });
    expect(planAlerts({ clusters: [cluster('prod-aks', [api])], records: [] }, options()).deliveries[0]).not.toHaveProperty('clusterName');
  });

  it('sends findings without a channel to SLACK_CHANNEL', () => {
    const plan = planAlerts({ clusters: [cluster('prod-aks', [finding({ name: 'api', channel: null })])] , records: [] }, options());
    expect(plan.deliveries[0]?.channel).toBe('platform-alerts');
  });

  it('stays silent while nothing changed and the reminder is not due, then reminds', () => {
    const records = [delivered('prod-aks', api)];
    const clusters = [cluster('prod-aks', [api])];
    const quiet = planAlerts({ clusters, records }, options({ now: new Date(T0.getTime() + 6 * HOUR - 1) }));
    expect(quiet.deliveries).toEqual([]);
    expect(quiet.unchanged).toBe(1);
    const due = planAlerts({ clusters, records }, options({ now: new Date(T0.getTime() + 6 * HOUR) }));
    expect(due.deliveries.map((d) => d.action)).toEqual(['reminder']);
    expect(due.deliveries[0]?.record.thread).toEqual(records[0]?.record.thread);
  });

  it('with an interval of 0 repeats every scan (the old behaviour)', () => {
    const plan = planAlerts({ clusters: [cluster('prod-aks', [api])], records: [delivered('prod-aks', api)] }, options({ repeatIntervalMs: 0 }));
    expect(plan.deliveries.map((d) => d.action)).toEqual(['reminder']);
  });

  it('treats a newer tag pushed while still lagging as news, keeping when the lag began', () => {
    const newer = finding({ name: 'api', latestTag: 'prod-790', latestUpdatedAt: new Date(T0.getTime() + HOUR).toISOString() });
    const plan = planAlerts({ clusters: [cluster('prod-aks', [newer])], records: [delivered('prod-aks', api)] }, options({ now: new Date(T0.getTime() + 2 * HOUR) }));
    expect(plan.deliveries.map((d) => d.action)).toEqual(['new']);
    expect(plan.deliveries[0]?.record).toMatchObject({ target: 'prod-790', announcedTarget: 'prod-789', laggingSince: api.latestUpdatedAt });
  });

  it('treats a re-pushed digest of a stale-digest alert as news, but not a drift alert whose newest tag moved', () => {
    const stale = finding({ name: 'web', status: 'stale-digest', deployedTag: 'prod-7', latestTag: 'prod-7' });
    const restale = { ...stale, latestDigest: `sha256:${'c'.repeat(64)}` };
    const staleRecord = delivered('prod-aks', stale, { target: `prod-7@${stale.latestDigest}`, announcedTarget: `prod-7@${stale.latestDigest}` });
    expect(planAlerts({ clusters: [cluster('prod-aks', [restale])], records: [staleRecord] }, options()).deliveries.map((d) => d.action)).toEqual(['new']);
    const moved = { ...api, latestDigest: `sha256:${'c'.repeat(64)}` };
    expect(planAlerts({ clusters: [cluster('prod-aks', [moved])], records: [delivered('prod-aks', api)] }, options()).deliveries).toEqual([]);
  });

  it('resolves an announced alert whose workload caught up, became untracked, or is gone', () => {
    const web = finding({ name: 'web' });
    const job = finding({ name: 'job' });
    const records = [delivered('prod-aks', api), delivered('prod-aks', web), delivered('prod-aks', job)];
    const plan = planAlerts(
      { clusters: [cluster('prod-aks', [caughtUp(api), { ...web, status: 'untracked', latestTag: null }])], records },
      options({ now: new Date(T0.getTime() + MINUTE) }),
    );
    expect(plan.deliveries.map((d) => [d.action, d.record.workloadName, d.current?.status ?? 'gone'])).toEqual([
      ['resolved', 'api', 'in-sync'],
      ['resolved', 'job', 'gone'],
      ['resolved', 'web', 'untracked'],
    ]);
  });

  it('holds an alert whose registry named no release (404, or no release among the newest tags): no resolved notice, no new alert after', () => {
    const records = [delivered('prod-aks', api), delivered('prod-aks', finding({ name: 'web' }))];
    const noRelease = (f: Finding, reason: string): Finding => ({ ...f, status: 'no-release', latestTag: null, latestDigest: null, latestUpdatedAt: null, reason });
    const held = planAlerts(
      {
        clusters: [
          cluster('prod-aks', [
            noRelease(api, 'repository team/api not found in myacr.azurecr.io'),
            noRelease(finding({ name: 'web' }), 'no tag matching TAG_PATTERN among the newest 100 tags'),
          ]),
        ],
        records,
      },
      options({ now: new Date(T0.getTime() + 7 * HOUR) }),
    );
    expect(held.deliveries).toEqual([]);
    expect(held.silentRemovals).toEqual([]);
    expect(held.held).toBe(2);
    // The next scan sees it lag again: the alert it still has is unchanged, not new.
    const again = planAlerts({ clusters: [cluster('prod-aks', [api, finding({ name: 'web' })])], records }, options({ now: new Date(T0.getTime() + 10 * MINUTE) }));
    expect(again.deliveries).toEqual([]);
    expect(again.unchanged).toBe(2);
  });

  it('does not resolve what a failed cluster scan, a registry error or the grace period hides', () => {
    const web = finding({ name: 'web' });
    const records = [delivered('prod-aks', api), delivered('prod-aks', web), delivered('other-aks', api)];
    const plan = planAlerts(
      {
        clusters: [cluster('prod-aks', [{ ...api, status: 'error' }, { ...web, status: 'pending', latestTag: 'prod-800' }]), cluster('other-aks', [], false)],
        records,
      },
      options(),
    );
    expect(plan.deliveries).toEqual([]);
    expect(plan.silentRemovals).toEqual([]);
    expect(plan.held).toBe(2);
  });

  it('with NOTIFY_RESOLVED off removes resolved alerts silently', () => {
    const plan = planAlerts({ clusters: [cluster('prod-aks', [caughtUp(api)])], records: [delivered('prod-aks', api)] }, options({ notifyResolved: false }));
    expect(plan.deliveries).toEqual([]);
    expect(plan.silentRemovals.map((s) => s.record.workloadName)).toEqual(['api']);
  });

  it('retries what was never delivered as new, and drops it silently once it no longer lags', () => {
    const unsent = delivered('prod-aks', api, { announcedTarget: null, lastSentAt: null, thread: null });
    expect(planAlerts({ clusters: [cluster('prod-aks', [api])], records: [unsent] }, options()).deliveries.map((d) => d.action)).toEqual(['new']);
    const gone = planAlerts({ clusters: [cluster('prod-aks', [])], records: [unsent] }, options());
    expect(gone.deliveries).toEqual([]);
    expect(gone.silentRemovals).toHaveLength(1);
  });

  it("leaves items claimed by another run alone until the claim expires", () => {
    const claim = { owner: 'other-run', expiresAt: new Date(T0.getTime() + 5 * MINUTE).toISOString() };
    const records = [delivered('prod-aks', api, { announcedTarget: null, lastSentAt: null, claim })];
    const during = planAlerts({ clusters: [cluster('prod-aks', [api])], records }, options({ now: new Date(T0.getTime() + 4 * MINUTE) }));
    expect(during.deliveries).toEqual([]);
    expect(during.claimedElsewhere).toBe(1);
    const after = planAlerts({ clusters: [cluster('prod-aks', [api])], records }, options({ now: new Date(T0.getTime() + 5 * MINUTE) }));
    expect(after.deliveries.map((d) => d.action)).toEqual(['new']);
  });

  it('folds two images of one container (a rollout) into one alert, lagging if either lags', () => {
    const old = finding({ name: 'api' });
    const rolledOut = { ...caughtUp(old), pods: 1 };
    const plan = planAlerts({ clusters: [cluster('prod-aks', [rolledOut, old])], records: [] }, options());
    expect(plan.deliveries).toHaveLength(1);
    expect(plan.deliveries[0]?.record.finding.deployedTag).toBe('prod-456');
  });

  it('keeps the same container in different clusters, kinds and containers apart', () => {
    const ids = new Set([
      alertId(alertKeyOf('a', api)),
      alertId(alertKeyOf('b', api)),
      alertId(alertKeyOf('a', { ...api, workload: { kind: 'StatefulSet', name: 'api' } })),
      alertId(alertKeyOf('a', { ...api, container: 'sidecar' })),
    ]);
    expect(ids.size).toBe(4);
  });
});

describe('table keys', () => {
  it('are valid Azure Table keys, readable for Kubernetes names, and decode back', () => {
    for (const value of ['prod-aks', 'my cluster/west#1?', 'ünïcode_名前', "it's", '', '~_~']) {
      const encoded = encodeKeyPart(value);
      expect(encoded).toMatch(/^[A-Za-z0-9.~-]+$/);
      expect(decodeKeyPart(encoded)).toBe(value);
    }
    expect(encodeKeyPart('payments-api.v2')).toBe('payments-api.v2');
    expect(rowKeyFor({ namespace: 'a_b', workloadKind: 'Deployment', workloadName: 'c', container: 'd' })).not.toBe(
      rowKeyFor({ namespace: 'a', workloadKind: 'b_Deployment', workloadName: 'c', container: 'd' }),
    );
  });
});
