/**
 * A scheduled run whose alerts could not be delivered is a failed invocation, so monitoring
 * sees it: the timer function (inline scan) and the queue function (one cluster) throw after
 * logging their summary, with the reason at error level. The three-cluster estate of
 * scanFunctions.test.ts, its Slack webhook refusing the webhook's secret (invalid_token).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { scanTimerHandler } from '../../src/functions/scan.js';
import { scanClusterQueueHandler } from '../../src/functions/scanCluster.js';
import { resourceId, type ThreeClusterEstate } from '../support/estate.js';
import { useThreeClusterEstate } from '../support/estateFixture.js';

const fixture = useThreeClusterEstate();
const { logs, context } = fixture;
let estate: ThreeClusterEstate;
beforeAll(() => {
  estate = fixture.estate;
});

const timer = { isPastDue: false, schedule: { adjustForDST: true }, scheduleStatus: { last: '', next: '', lastUpdated: '' } };

describe('a scheduled run that could not deliver its alerts', () => {
  it('fails the timer invocation after logging the scan summary and, at error level, why', async () => {
    process.env.STATE_TABLE = 'visibilitytimer';
    // invalid_token is fatal: the first post fails and no other is attempted.
    estate.slack.failNext(1, 403);
    await expect(scanTimerHandler(timer, context('scan'))).rejects.toThrow(/alert delivery incomplete: 2 alert item\(s\) not delivered.*post invalid_token \(2\)/);
    const finished = logs.findIndex((l) => l.includes('scan finished'));
    const failed = logs.findIndex((l) => l.startsWith('error') && l.includes('alert delivery incomplete'));
    expect(finished).toBeGreaterThanOrEqual(0);
    expect(failed).toBeGreaterThan(finished);
    expect(logs.some((l) => l.includes('Slack notifications') && l.includes('failed=2'))).toBe(true);
  });

  it('delivers what is owed on the next run, which then succeeds', async () => {
    process.env.STATE_TABLE = 'visibilitytimer';
    const before = estate.slack.messages.length;
    await scanTimerHandler(timer, context('scan'));
    expect(estate.slack.messages.length).toBeGreaterThan(before);
    expect(logs.some((l) => l.startsWith('error') && l.includes('alert delivery incomplete'))).toBe(false);
  });

  it('fails the queue invocation too, so the host retries the message', async () => {
    process.env.STATE_TABLE = 'visibilityqueue';
    estate.slack.failNext(1, 403);
    const message = { clusterResourceId: resourceId('orders-rg', 'orders-aks'), name: 'orders', enqueuedAt: new Date().toISOString() };
    await expect(scanClusterQueueHandler(message, context('scanCluster'))).rejects.toThrow(/alert delivery incomplete: 1 alert item\(s\) not delivered/);
    expect(logs.some((l) => l.includes('cluster scanned') && l.includes('cluster=orders'))).toBe(true);
  });
});
