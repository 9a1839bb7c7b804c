/**
 * The metrics a scan emits, read with an in-process OpenTelemetry reader while the real scan
 * path (runScan: kubeconfig, managed identity, ACR, Slack) runs against the sandbox estate of
 * `npm run demo`: findings per cluster, namespace, team channel and status; the oldest lag; scan
 * time and pods; registry lookups and throttled answers; Slack posts and the items left undone;
 * the time since the last successful scan; and no pod name, tag, digest or image in a dimension.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { kubeconfigYaml } from '../../emulators/kubernetes/kubeconfig.js';
import { startSandbox, type Sandbox } from '../../emulators/sandbox.js';
import { ensureTestPki } from '../../emulators/testPki.js';
import { kubeconfigClusterSource } from '../../src/clusters/kubeconfigSource.js';
import { loadConfig, type Config } from '../../src/config/config.js';
import { silentLogger } from '../../src/log/logger.js';
import { METRICS } from '../../src/metrics/metricNames.js';
import { NO_CHANNEL, recordClusterScan, recordDetectionLatency } from '../../src/metrics/scanMetrics.js';
import type { ScanReport } from '../../src/model/finding.js';
import { runScan } from '../../src/run/runScan.js';
import { MemoryStatusStore } from '../../src/status/statusStore.js';
import { named, useInMemoryMetrics, type Point } from '../support/inMemoryMetrics.js';
import { finding } from '../support/sampleReport.js';

const HOUR_S = 3_600;
const metrics = useInMemoryMetrics();
const savedEnv = { ...process.env };
let sandbox: Sandbox;
let config: Config;

beforeAll(async () => {
  sandbox = await startSandbox(ensureTestPki());
  Object.assign(process.env, sandbox.env); // the managed identity endpoint, for DefaultAzureCredential
  config = loadConfig(sandbox.env);
});

afterAll(async () => {
  process.env = savedEnv;
  await sandbox?.close();
});

const sandboxSource = () => kubeconfigClusterSource({ path: sandbox.kubeconfigPath });

/** The value of the one point of `name` with these attributes. */
function valueOf(points: readonly Point[], name: string, attributes: Record<string, string>): number | undefined {
  const found = named(points, name).filter((p) => Object.entries(attributes).every(([k, v]) => p.attributes[k] === v));
  if (found.length > 1) throw new Error(`${found.length} points of ${name} match ${JSON.stringify(attributes)}`);
  return found[0]?.value;
}

describe('a scan of the sandbox estate', () => {
  let points: Point[];
  let report: ScanReport;
  const statusStore = new MemoryStatusStore();

  beforeAll(async () => {
    await metrics.take();
    ({ report } = await runScan(config, [sandboxSource()], { logger: silentLogger, statusStore }));
    points = await metrics.take();
  });

  it('counts the findings per cluster, namespace, team channel and status, only the combinations that occur', () => {
    const cluster = 'sandbox-aks';
    expect(valueOf(points, 'acrsync.findings', { cluster, namespace: 'payments', channel: 'payments-alerts', status: 'drift' })).toBe(1);
    expect(valueOf(points, 'acrsync.findings', { cluster, namespace: 'payments', channel: 'payments-alerts', status: 'in-sync' })).toBe(3);
    expect(valueOf(points, 'acrsync.findings', { cluster, namespace: 'search', channel: 'search-team', status: 'pending' })).toBe(1);
    expect(valueOf(points, 'acrsync.findings', { cluster, namespace: 'web', channel: 'platform-alerts', status: 'stale-digest' })).toBe(1);
    expect(valueOf(points, 'acrsync.findings', { cluster, namespace: 'web', channel: 'platform-alerts', status: 'untracked' })).toBe(2);
    expect(valueOf(points, 'acrsync.findings', { cluster, namespace: 'payments', status: 'pending' })).toBeUndefined();
    const total = named(points, 'acrsync.findings').reduce((n, p) => n + p.value, 0);
    expect(total).toBe(report.clusters[0]?.findings.length);
  });

  it('gives the age of the longest lag: web-cache, whose newest release was pushed 6 hours ago', () => {
    const age = valueOf(points, 'acrsync.drift.oldest_age', { cluster: 'sandbox-aks' }) ?? 0;
    expect(Math.abs(age - 6 * HOUR_S)).toBeLessThan(60);
  });

  it('records the scan time and the running pods of the cluster', () => {
    const [duration] = named(points, 'acrsync.scan.duration');
    expect(duration).toMatchObject({ count: 1, attributes: { cluster: 'sandbox-aks', ok: 'true' } });
    expect(duration?.value).toBeCloseTo((report.clusters[0]?.durationMs ?? 0) / 1000, 3);
    expect(valueOf(points, 'acrsync.cluster.pods', { cluster: 'sandbox-aks' })).toBe(57);
  });

  it('counts each repository lookup once, by registry and result', () => {
    const prod = sandbox.registry.loginServer.toLowerCase();
    const priv = sandbox.privateRegistry.loginServer.toLowerCase();
    // One lookup per repository and tag pattern: the staging namespace's staging-* and the tokenizer's nightly-* make two more.
    expect(valueOf(points, 'acrsync.registry.lookups', { registry: prod, result: 'found' })).toBe(10);
    expect(valueOf(points, 'acrsync.registry.lookups', { registry: prod, result: 'unknown-repository' })).toBe(1);
    expect(valueOf(points, 'acrsync.registry.lookups', { registry: priv, result: 'error' })).toBe(1);
    expect(named(points, 'acrsync.registry.throttled')).toEqual([]);
  });

  it('counts the Slack posts, and the time since the last successful scan is the time since this one', () => {
    expect(valueOf(points, 'acrsync.slack.posts', { via: 'webhook', result: 'ok' })).toBe(sandbox.slack.messages.length);
    expect(sandbox.slack.messages.length).toBeGreaterThan(0);
    expect(named(points, 'acrsync.slack.failures')).toEqual([]);
    expect(valueOf(points, 'acrsync.scan.since_last_success', { cluster: 'sandbox-aks' })).toBeLessThan(5);
  });

  it('sets only the dimensions each metric declares, and never a pod name, tag, digest or image', () => {
    const declared = new Map<string, readonly string[]>(Object.values(METRICS).map((m) => [m.name, m.dimensions]));
    for (const p of points) {
      expect(Object.keys(p.attributes).sort(), p.name).toEqual([...(declared.get(p.name) ?? ['(undeclared metric)'])].sort());
      for (const value of Object.values(p.attributes)) expect(String(value)).not.toMatch(/prod-\d|sha256|payments-worker|:\d+\/|@/);
    }
  });
});

describe('a scan where things go wrong', () => {
  let points: Point[];
  let statusStore: MemoryStatusStore;

  beforeAll(async () => {
    const offline = join(sandbox.dir, 'offline.yaml');
    writeFileSync(offline, kubeconfigYaml('https://127.0.0.1:1', ensureTestPki(), 'token', { clusterName: 'offline-aks' }));
    sandbox.registry.injectFault('tags-page', { kind: 'status', status: 429, retryAfter: '1' }, { repository: 'payments/report', times: 2 });
    sandbox.slack.failNext(10, 500);
    statusStore = new MemoryStatusStore();
    await runScan(config, [sandboxSource(), kubeconfigClusterSource({ path: offline })], { logger: silentLogger, statusStore, sleep: async () => undefined });
    points = await metrics.take();
  });

  it('records the failed cluster with ok "false", and nothing about its workloads', () => {
    const durations = named(points, 'acrsync.scan.duration').map((p) => p.attributes);
    expect(durations).toContainEqual({ cluster: 'offline-aks', ok: 'false' });
    expect(named(points, 'acrsync.findings').some((p) => p.attributes.cluster === 'offline-aks')).toBe(false);
    expect(named(points, 'acrsync.cluster.pods').map((p) => p.attributes.cluster)).toEqual(['sandbox-aks']);
  });

  it('counts the throttled answers the registry gave', () => {
    expect(valueOf(points, 'acrsync.registry.throttled', { registry: sandbox.registry.loginServer.toLowerCase() })).toBe(2);
  });

  it('counts the failed Slack posts by result and the items left undone by stage', () => {
    expect(valueOf(points, 'acrsync.slack.posts', { via: 'webhook', result: 'retryable' })).toBeGreaterThan(0);
    expect(valueOf(points, 'acrsync.slack.failures', { stage: 'post' })).toBeGreaterThan(0);
  });

  it('gives no time since the last success for a cluster that never had one', () => {
    const since = named(points, 'acrsync.scan.since_last_success').map((p) => p.attributes.cluster);
    expect(since).toEqual(['sandbox-aks']);
  });
});

describe('recordClusterScan with per-workload settings', () => {
  it('counts a finding under the team channel its settings resolved, (none) when no channel applies', async () => {
    const settings = (channel: string | null) => ({
      channel: { value: channel, from: 'namespace annotation' },
      tagPattern: { value: 'prod-*', from: 'default' },
      gracePeriod: { value: '3m', ms: 180_000, from: 'default' },
      track: { value: true, from: 'default' },
    });
    const findings = [
      finding({ namespace: 'payments', channel: 'payments-team', settings: settings('payments-team') }),
      finding({ namespace: 'payments', channel: null, settings: settings(null) }),
      finding({ namespace: 'payments', channel: 'platform-alerts' }),
    ];
    recordClusterScan({ name: 'prod-aks', ok: true, findings, pods: 3, durationMs: 100 }, Date.now());
    const channels = named(await metrics.take(), 'acrsync.findings').map((p) => `${String(p.attributes.channel)}=${p.value}`).sort();
    expect(channels).toEqual([`${NO_CHANNEL}=1`, 'payments-team=1', 'platform-alerts=1']);
  });
});

describe('recordDetectionLatency (push-driven checks)', () => {
  it('records the latency in seconds per cluster', async () => {
    recordDetectionLatency(4_500, { cluster: 'prod-aks' });
    recordDetectionLatency(1_500, { cluster: 'prod-aks' });
    expect(named(await metrics.take(), 'acrsync.detection.latency')).toEqual([{ name: 'acrsync.detection.latency', value: 6, count: 2, attributes: { cluster: 'prod-aks' } }]);
  });
});
