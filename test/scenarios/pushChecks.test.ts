/**
 * Push-driven checks end to end: a timer run indexes the clusters; a tag pushed to the emulated
 * ACR writes its ImagePushed event to the push queue; the host stand-in runs `imagePushed`,
 * which queues `scanCluster` checks invisible until push + grace; they scan the pushed
 * repository's workloads through ARM, Kubernetes and ACR and alert Slack. No timer runs between
 * a push and its alert. The tests run in order: each starts from the state the previous left.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { digestOf } from '../../emulators/sandbox.js';
import { encodeClusterScanMessage } from '../../src/fanout/scanQueue.js';
import { scanClusterQueueHandler } from '../../src/functions/scanCluster.js';
import { scanTimerHandler } from '../../src/functions/scan.js';
import { CHECK_MARGIN_MS } from '../../src/push/planChecks.js';
import { TablePushIndex } from '../../src/push/tablePushIndex.js';
import { ordersClusterPods, resourceId } from '../support/estate.js';
import { named, useInMemoryMetrics } from '../support/inMemoryMetrics.js';
import { GRACE_MS, usePushFixture } from '../support/pushFixture.js';

const fixture = usePushFixture();
const metrics = useInMemoryMetrics();
const count = (texts: string[], ...parts: string[]) => texts.filter((t) => parts.every((p) => t.includes(p))).length;
/** The field `key=` of a structured log line. */
const field = (line: string, key: string) => new RegExp(`\\b${key}=(\\S+)`).exec(line)?.[1];

beforeAll(async () => {
  await fixture.runTimer();
  await metrics.take();
});

describe('push-driven checks', () => {
  it('indexes the repositories each scanned cluster ran', async () => {
    const index = new TablePushIndex({ connectionString: fixture.estate.storage.connectionString }, 'pushstate');
    const clusters = await index.clusters();
    expect(clusters.map((c) => c.name).sort()).toEqual(['billing-aks', 'orders']);
    const registry = fixture.estate.registry.loginServer;
    const runs = async (name: string, repository: string) => Boolean(await index.entry(clusters.find((c) => c.name === name) ?? clusters[0]!, registry, repository));
    expect([await runs('orders', 'shared/base-api'), await runs('orders', 'orders/service'), await runs('billing-aks', 'shared/base-api'), await runs('billing-aks', 'orders/service')]).toEqual([true, true, true, false]);
    expect(await index.entry(clusters[0]!, registry, 'shared/base-api')).toMatchObject({ uses: [{ tagPattern: 'prod-*', gracePeriodMs: GRACE_MS }] });
  });

  it('checks only the cluster that ran the pushed repository, and a workload rolled out within the grace period gets no alert', async () => {
    const { estate, host } = fixture;
    const slackBefore = fixture.slackTexts().length;
    const after = host.logs.length;
    await estate.registry.pushTag('orders/service', { name: 'prod-6', digest: digestOf('orders-6') });
    const scheduled = await host.waitForLog((l) => l.includes('push checks scheduled') && l.includes('tag=prod-6'), { after });
    estate.entraCluster.setPods(ordersClusterPods(estate.registry.loginServer, { tag: 'prod-6', label: 'orders-6' }));
    expect(field(scheduled, 'clusters')).toBe('orders');
    const billingBefore = estate.localCluster.requests.length;
    const done = await host.waitForLog((l) => l.includes('push check done') && l.includes('tag=prod-6'), { after });
    expect(done).toMatch(/cluster=orders .*drift=0 inSync=1 ok=true/);
    expect(estate.localCluster.requests.length).toBe(billingBefore);
    // No alert, and the orders-api alert of the other repository is neither resolved nor repeated.
    expect(fixture.slackTexts().slice(slackBefore)).toEqual([]);
    // Nothing detected, no latency; and a check of one repository leaves the cluster's gauges to the full scans.
    const points = await metrics.take();
    expect(named(points, 'acrsync.detection.latency')).toEqual([]);
    expect(named(points, 'acrsync.findings')).toEqual([]);
    expect(named(points, 'acrsync.scan.duration')).toEqual([]);
  });

  it('alerts each cluster that still runs the older image, once, from the check due at push time + grace', async () => {
    const { estate, host } = fixture;
    const after = host.logs.length;
    const armBefore = estate.arm.requests.length;
    const event = await estate.registry.pushTag('shared/base-api', { name: 'prod-21', digest: digestOf('base-21') });
    const scheduled = await host.waitForLog((l) => l.includes('push checks scheduled') && l.includes('tag=prod-21'), { after });
    expect(fixture.slackTexts().filter((t) => t.includes('prod-21'))).toEqual([]);
    expect(field(scheduled, 'clusters')?.split(',').sort()).toEqual(['billing-aks', 'orders']);
    const due = Date.parse(event.data.timestamp) + GRACE_MS + CHECK_MARGIN_MS;
    expect(field(scheduled, 'checks')?.split(',').sort()).toEqual([`billing-aks@${new Date(due).toISOString()}`, `orders@${new Date(due).toISOString()}`]);
    const dones = await Promise.all(['orders', 'billing-aks'].map((c) => host.waitForLog((l) => l.includes('push check done') && l.includes(`cluster=${c} `) && l.includes('tag=prod-21'), { after })));
    for (const done of dones) expect(Number(field(done, 'detectionLatencyMs'))).toBeGreaterThanOrEqual(CHECK_MARGIN_MS - 1000);
    // The orders cluster was read from ARM by the previous test's check: this one reuses it; billing-aks is read (cluster and kubeconfig).
    const armReads = estate.arm.requests.slice(armBefore).map((r) => r.path);
    expect(armReads.filter((path) => path.includes('/managedClusters/orders-aks'))).toEqual([]);
    expect(armReads.filter((path) => path.includes('/managedClusters/billing-aks'))).toHaveLength(2);
    // Each detection is the metric the workbook charts, in seconds, as the log line gives it in milliseconds.
    const latencies = named(await metrics.take(), 'acrsync.detection.latency');
    expect(latencies.map((p) => p.attributes.cluster).sort()).toEqual(['billing-aks', 'orders']);
    for (const done of dones) {
      const point = latencies.find((p) => done.includes(`cluster=${String(p.attributes.cluster)} `));
      expect(point?.count).toBe(1);
      expect(point?.value).toBeCloseTo(Number(field(done, 'detectionLatencyMs')) / 1000, 2);
    }
    const texts = fixture.slackTexts();
    expect(count(texts, 'orders-api', 'prod-21')).toBe(1);
    expect(count(texts, 'billing-api', 'prod-21')).toBe(1);
    expect(count(texts, 'orders-team', 'prod-21')).toBe(1);
    // The timer runs later (the safety net): it says nothing new.
    const before = fixture.slackTexts().length;
    await scanTimerHandler({ isPastDue: false, schedule: { adjustForDST: true }, scheduleStatus: { last: '', next: '', lastUpdated: '' } }, fixture.context('scan'));
    expect(fixture.slackTexts().length).toBe(before);
  });

  it('alerts once when a scheduled check and a timer scan of the same cluster run at the same time', async () => {
    const { estate } = fixture;
    // Pushed just over the grace period ago: newer than prod-21 (pushed before the last test's checks), and due now.
    const pushedAt = new Date(Date.now() - GRACE_MS - 500).toISOString();
    estate.registry.addTag('shared/base-api', { name: 'prod-22', digest: digestOf('base-22'), lastUpdateTime: pushedAt });
    const check = encodeClusterScanMessage({
      clusterResourceId: resourceId('orders-rg', 'orders-aks'),
      name: 'orders',
      enqueuedAt: pushedAt,
      reason: 'push',
      push: { eventId: 'e-22', registry: estate.registry.loginServer, repository: 'shared/base-api', tag: 'prod-22', pushedAt, gracePeriodMs: GRACE_MS, dueAt: pushedAt },
    });
    const timer = { isPastDue: false, schedule: { adjustForDST: true }, scheduleStatus: { last: '', next: '', lastUpdated: '' } };
    await Promise.all([scanClusterQueueHandler(JSON.parse(check), fixture.context('scanCluster')), scanTimerHandler(timer, fixture.context('scan'))]);
    const texts = fixture.slackTexts();
    expect(count(texts, 'orders-api', 'prod-22')).toBe(1);
    expect(count(texts, 'billing-api', 'prod-22')).toBe(1);
  });
});
