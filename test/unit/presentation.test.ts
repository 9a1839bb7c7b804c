import { describe, expect, it } from 'vitest';
import { emptyDeliveryResult } from '../../src/alerts/deliveryResult.js';
import { exitCodeFor } from '../../src/cli/main.js';
import { shortDigest } from '../../src/model/digest.js';
import { renderReportTable } from '../../src/cli/reportTable.js';
import { alertLine, escapeSlackText, normaliseChannel } from '../../src/notify/slackText.js';
import { countStatuses, type Finding, type ScanReport } from '../../src/model/finding.js';
import { createConcurrencyLimit } from '../../src/util/concurrencyLimit.js';

function finding(overrides: Partial<Finding>): Finding {
  return {
    namespace: 'payments',
    workload: { kind: 'Deployment', name: 'worker' },
    container: 'worker',
    image: 'hmctsprod.azurecr.io/my-repo/service:prod-456',
    registry: 'hmctsprod.azurecr.io',
    repository: 'my-repo/service',
    deployedTag: 'prod-456',
    deployedDigest: 'sha256:1111111111111111111111111111111111111111111111111111111111111111',
    latestTag: 'prod-789',
    latestDigest: 'sha256:2222222222222222222222222222222222222222222222222222222222222222',
    latestUpdatedAt: '2026-01-06T16:40:15.123Z',
    status: 'drift',
    channel: 'payments-alerts',
    pods: 3,
    ...overrides,
  };
}

function report(findings: Finding[], failed = false): ScanReport {
  return {
    startedAt: '2026-01-06T17:00:00.000Z',
    finishedAt: '2026-01-06T17:00:01.000Z',
    clusters: [{ name: 'prod-aks', ok: true, findings, pods: 3, durationMs: 10 }, ...(failed ? [{ name: 'x', ok: false, error: 'HTTP 403', findings: [], pods: 0, durationMs: 1 }] : [])],
    summary: { ...countStatuses(findings), clusters: failed ? 2 : 1, clustersFailed: failed ? 1 : 0, pods: 3 },
  };
}

describe('Slack text', () => {
  it('keeps the old script wording for drift', () => {
    expect(alertLine('prod-aks', finding({}))).toBe(
      'Warning: AKS cluster prod-aks is running my-repo/service:prod-456 instead of my-repo/service:prod-789 (2026-01-06T16:40:15.123Z).',
    );
  });

  it('names the digest for digest-pinned images and explains stale digests', () => {
    expect(alertLine('prod-aks', finding({ deployedTag: null }))).toContain('running my-repo/service@sha256:111111111111 instead of my-repo/service:prod-789');
    expect(alertLine('prod-aks', finding({ status: 'stale-digest', deployedTag: 'prod-789' }))).toContain('prod-789 now points to sha256:222222222222');
  });

  it('shortens digests exactly as the drift reasons do (one shared function)', () => {
    const odd = 'md5:0123456789abcdef0123';
    expect(alertLine('prod-aks', finding({ deployedTag: null, deployedDigest: odd }))).toContain(`running my-repo/service@${shortDigest(odd)} instead`);
    expect(shortDigest(odd)).toBe('md5:0123456789ab');
    expect(alertLine('prod-aks', finding({ deployedTag: null, deployedDigest: null }))).toContain('running my-repo/service@unknown digest instead');
  });

  it('escapes &, < and > so cluster-supplied text cannot ping or link', () => {
    expect(escapeSlackText('<!channel> & <http://x|y>')).toBe('&lt;!channel&gt; &amp; &lt;http://x|y&gt;');
    expect(alertLine('a<!here>b', finding({}))).toContain('a&lt;!here&gt;b');
  });

  it('prefixes channel names with # and leaves channel IDs alone', () => {
    expect(normaliseChannel('team-a')).toBe('#team-a');
    expect(normaliseChannel('#team-a')).toBe('#team-a');
    expect(normaliseChannel('C0123456789')).toBe('C0123456789');
  });
});

describe('CLI report', () => {
  it('renders a row per finding, a row per failed cluster, and a summary', () => {
    const text = renderReportTable(report([finding({}), finding({ status: 'in-sync', container: 'b', deployedTag: 'prod-789' })], true), false);
    const lines = text.split('\n');
    expect(lines[0]).toMatch(/^CLUSTER\s+NAMESPACE\s+WORKLOAD\s+CONTAINER\s+STATUS\s+RUNNING\s+NEWEST\s+DETAIL$/);
    expect(text).toMatch(/prod-aks\s+payments\s+Deployment\/worker\s+worker\s+drift\s+my-repo\/service:prod-456\s+prod-789/);
    expect(text).toMatch(/x\s+-\s+-\s+-\s+error.*HTTP 403/);
    expect(lines.at(-1)).toBe('2 cluster(s), 3 running pod(s): 1 drift, 0 stale digest, 0 pending, 1 in sync, 0 no release, 0 untracked, 0 error(s); 1 cluster(s) could not be scanned');
    expect(text).not.toContain('\x1b[');
    expect(renderReportTable(report([finding({})]), true)).toContain('\x1b[31m');
  });

  it('shows no-release findings in their own colour and count', () => {
    const text = renderReportTable(report([finding({ status: 'no-release', latestTag: null, reason: 'repository my-repo/service not found in hmctsprod.azurecr.io' })]), true);
    expect(text).toContain('\x1b[34mprod-aks');
    expect(text).toMatch(/no-release .*repository my-repo\/service not found/);
    expect(text.split('\n').at(-1)).toContain('1 no release, 0 untracked');
  });

  it.each([
    [[finding({ status: 'in-sync' }), finding({ status: 'pending' }), finding({ status: 'untracked' }), finding({ status: 'no-release' })], false, 0],
    [[finding({ status: 'drift' })], false, 1],
    [[finding({ status: 'stale-digest' })], false, 1],
    [[finding({ status: 'drift' }), finding({ status: 'error' })], false, 2],
    [[finding({ status: 'in-sync' })], true, 2],
  ] as const)('exit code for %j (failed cluster: %s) is %d', (findings, failed, code) => {
    expect(exitCodeFor(report([...findings], failed))).toBe(code);
  });

  it('exits 2 when alerts could not be delivered, whatever the findings', () => {
    const delivered = { ...emptyDeliveryResult(), sent: 1, new: 1 };
    expect(exitCodeFor(report([finding({ status: 'drift' })]), delivered)).toBe(1);
    expect(exitCodeFor(report([finding({ status: 'drift' })]), { ...delivered, failed: 1, failures: [{ stage: 'post', reason: 'http_503', items: 1 }] })).toBe(2);
    expect(exitCodeFor(report([finding({ status: 'in-sync' })]), { ...delivered, stateErrors: 1 })).toBe(2);
    expect(exitCodeFor(report([finding({ status: 'in-sync' })]), { ...emptyDeliveryResult(), error: 'alert state could not be read' })).toBe(2);
  });
});

describe('createConcurrencyLimit', () => {
  it('never runs more than the limit at once and runs everything', async () => {
    const limit = createConcurrencyLimit(3);
    let active = 0;
    let peak = 0;
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        limit(async () => {
          active += 1;
          peak = Math.max(peak, active);
          await new Promise((r) => setImmediate(r));
          active -= 1;
          return i;
        }),
      ),
    );
    expect(peak).toBe(3);
    expect(results).toEqual(Array.from({ length: 20 }, (_, i) => i));
  });

  it('hands a freed slot to the waiting task, not to one that arrives while it wakes up', async () => {
    // A newcomer that arrives a few microtasks after a task ends, whatever the exact count.
    for (let ticks = 1; ticks <= 6; ticks += 1) {
      const limit = createConcurrencyLimit(1);
      let active = 0;
      let peak = 0;
      const run = (then?: () => void) =>
        limit(async () => {
          active += 1;
          peak = Math.max(peak, active);
          await new Promise((r) => setImmediate(r));
          active -= 1;
          then?.();
        });
      let newcomer: Promise<void> | undefined;
      const arriveLater = (): void => {
        let p = Promise.resolve();
        for (let i = 0; i < ticks; i += 1) p = p.then(() => undefined);
        newcomer = p.then(() => run());
      };
      await Promise.all([run(arriveLater), run()]);
      await newcomer;
      expect({ ticks, peak }).toEqual({ ticks, peak: 1 });
    }
  });

  it('frees the slot when a task fails', async () => {
    const limit = createConcurrencyLimit(1);
    await expect(limit(() => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    await expect(limit(() => Promise.resolve('next'))).resolves.toBe('next');
  });
});
