/**
 * A cluster's status record from a scan (pure): the most urgent items first, pending ones with
 * the time they start to count (their own grace period when the finding has one), a failed scan
 * keeping what was last known, and the record bounded whatever the cluster holds.
 */
import { describe, expect, it } from 'vitest';
import type { ClusterReport, Finding } from '../../src/model/finding.js';
import { clusterStatusOf, MAX_ITEMS_JSON_CHARS, MAX_STATUS_ITEMS } from '../../src/status/clusterStatus.js';
import { finding } from '../support/sampleReport.js';

const AT = Date.parse('2026-01-06T17:00:00.000Z');
const GRACE = 3 * 60_000;
const options = { scannedAt: AT, gracePeriodMs: GRACE };

function cluster(findings: Finding[], ok = true): ClusterReport {
  return ok ? { name: 'prod-aks', ok, findings, pods: 12, durationMs: 900 } : { name: 'prod-aks', ok, error: 'Kubernetes API answered 401 Unauthorized', findings: [], pods: 0, durationMs: 30 };
}

const pushedHoursAgo = (h: number) => new Date(AT - h * 3_600_000).toISOString();

describe('clusterStatusOf', () => {
  const findings = [
    finding({ workload: { kind: 'Deployment', name: 'recent' }, latestUpdatedAt: pushedHoursAgo(1) }),
    finding({ workload: { kind: 'Deployment', name: 'in-sync' }, status: 'in-sync' }),
    finding({ workload: { kind: 'Deployment', name: 'broken' }, status: 'error', reason: 'lookup failed: HTTP 500', latestTag: null, latestUpdatedAt: null }),
    finding({ workload: { kind: 'Deployment', name: 'soon' }, status: 'pending', latestUpdatedAt: new Date(AT - 60_000).toISOString() }),
    finding({ workload: { kind: 'Deployment', name: 'oldest' }, status: 'stale-digest', latestUpdatedAt: pushedHoursAgo(30) }),
    finding({ workload: { kind: 'Deployment', name: 'untracked' }, status: 'untracked', reason: 'not in REGISTRIES' }),
  ];

  it('lists lagging workloads longest lag first, then pending ones, then undecided ones; counts every status', () => {
    const status = clusterStatusOf(cluster(findings), undefined, options);
    expect(status.items.map((i) => `${i.workload.name}:${i.status}`)).toEqual(['oldest:stale-digest', 'recent:drift', 'soon:pending', 'broken:error']);
    expect(status).toMatchObject({ cluster: 'prod-aks', ok: true, lastScanAt: '2026-01-06T17:00:00.000Z', lastSuccessAt: '2026-01-06T17:00:00.000Z', itemsAt: '2026-01-06T17:00:00.000Z', pods: 12, itemsOmitted: 0 });
    expect(status.counts).toMatchObject({ drift: 1, 'stale-digest': 1, pending: 1, error: 1, 'in-sync': 1, untracked: 1 });
    expect(status.items[3]?.reason).toBe('lookup failed: HTTP 500');
    expect(status.items[0]?.running).toMatch(/^my-repo\/service:prod-456@sha256:111111111111$/);
    expect(status.items[1]?.running).toBe('my-repo/service:prod-456');
  });

  it('gives a pending workload the time it starts to count: its own grace period when it has one, else GRACE_PERIOD', () => {
    const pushed = AT - 60_000;
    const own = finding({ status: 'pending', latestUpdatedAt: new Date(pushed).toISOString(), settings: {
      channel: { value: 'payments-alerts', from: 'default' },
      tagPattern: { value: 'prod-*', from: 'default' },
      gracePeriod: { value: '1h', ms: 3_600_000, from: 'namespace annotation' },
      track: { value: true, from: 'default' },
    } });
    const [withOwn] = clusterStatusOf(cluster([own]), undefined, options).items;
    const [withGlobal] = clusterStatusOf(cluster([finding({ status: 'pending', latestUpdatedAt: new Date(pushed).toISOString() })]), undefined, options).items;
    expect(withOwn?.countsAt).toBe(new Date(pushed + 3_600_000).toISOString());
    expect(withGlobal?.countsAt).toBe(new Date(pushed + GRACE).toISOString());
  });

  it('gives each item the team channel its settings resolved, none when no channel applies', () => {
    const settings = (channel: string | null) => ({
      channel: { value: channel, from: 'namespace annotation acr-aks-sync.io/slack-channel on namespace payments' },
      tagPattern: { value: 'prod-*', from: 'default' },
      gracePeriod: { value: '3m', ms: GRACE, from: 'default' },
      track: { value: true, from: 'default' },
    });
    const items = clusterStatusOf(cluster([
      finding({ workload: { kind: 'Deployment', name: 'annotated' }, channel: 'payments-team', settings: settings('payments-team') }),
      finding({ workload: { kind: 'Deployment', name: 'no-channel' }, channel: null, settings: settings(null) }),
      finding({ workload: { kind: 'Deployment', name: 'plain' }, channel: 'platform-alerts' }),
    ]), undefined, options).items;
    expect(Object.fromEntries(items.map((i) => [i.workload.name, i.channel]))).toEqual({ annotated: 'payments-team', 'no-channel': null, plain: 'platform-alerts' });
  });

  it('keeps what was last known when the cluster cannot be scanned: its items, their time and its last success', () => {
    const before = clusterStatusOf(cluster(findings), undefined, options);
    const failed = clusterStatusOf(cluster([], false), before, { ...options, scannedAt: AT + 300_000 });
    expect(failed).toMatchObject({ ok: false, error: 'Kubernetes API answered 401 Unauthorized', lastScanAt: '2026-01-06T17:05:00.000Z', lastSuccessAt: before.lastSuccessAt, itemsAt: before.itemsAt, pods: 12 });
    expect(failed.items).toEqual(before.items);
    const never = clusterStatusOf(cluster([], false), undefined, options);
    expect(never).toMatchObject({ ok: false, items: [], pods: 0, itemsOmitted: 0 });
    expect(never.lastSuccessAt).toBeUndefined();
  });

  it(`keeps at most ${MAX_STATUS_ITEMS} items, the most urgent, and counts the rest`, () => {
    const many = Array.from({ length: 500 }, (_, i) => finding({ workload: { kind: 'Deployment', name: `w-${i}` }, latestUpdatedAt: new Date(AT - i * 1000).toISOString() }));
    const status = clusterStatusOf(cluster(many), undefined, options);
    expect(status.items).toHaveLength(MAX_STATUS_ITEMS);
    expect(status.itemsOmitted).toBe(300);
    expect(status.items[0]?.workload.name).toBe('w-499');
  });

  it('stays bounded when every name is 100,000 characters long: each value cut, the items within their size', () => {
    const huge = (c: string) => c.repeat(100_000);
    const hostile = Array.from({ length: 300 }, (_, i) =>
      finding({ namespace: huge('n'), workload: { kind: huge('K'), name: `${i}${huge('w')}` }, container: huge('c'), channel: huge('#'), image: huge('i'), repository: huge('r'), deployedTag: huge('t'), latestTag: huge('l'), status: 'error', reason: huge('"') }),
    );
    const status = clusterStatusOf(cluster(hostile), undefined, options);
    expect(JSON.stringify(status.items).length).toBeLessThanOrEqual(MAX_ITEMS_JSON_CHARS);
    expect(status.items.length + status.itemsOmitted).toBe(300);
    expect(status.itemsOmitted).toBeGreaterThan(0);
    expect(Array.from(status.items[0]?.workload.name ?? '')).toHaveLength(253);
    expect((status.items[0]?.reason ?? '').length).toBeLessThanOrEqual(500);
  });
});
