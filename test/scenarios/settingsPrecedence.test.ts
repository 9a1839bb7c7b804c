/**
 * Settings at every level through the production path: configuration from the environment
 * (CLUSTER_SETTINGS), clusters read through ARM (their AKS tags), namespaces and pods through
 * the Kubernetes API (labels and annotations), lookups against ACR, alerts to a Slack webhook.
 * Every finding says where its settings came from; a bad value is that finding's error; alerts
 * keep their keys when a setting changes; and nothing costs an extra request.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createStateStore } from '../../src/alerts/state/createStateStore.js';
import type { StateStore } from '../../src/alerts/state/stateStore.js';
import { clusterSources } from '../../src/clusters/clusterSources.js';
import { loadConfig } from '../../src/config/config.js';
import { createAzureCredential } from '../../src/identity/createAzureCredential.js';
import { silentLogger } from '../../src/log/logger.js';
import type { Finding, ScanReport } from '../../src/model/finding.js';
import { runScan } from '../../src/run/runScan.js';
import { startSettingsEstate, type SettingsEstate } from '../support/settingsEstate.js';

let estate: SettingsEstate;
const savedEnv = { ...process.env };
let state: StateStore;

async function scan(): Promise<ScanReport> {
  const config = loadConfig(estate.env, { requireClusters: true });
  const credential = createAzureCredential(config);
  const sources = await clusterSources(config, { credential, logger: silentLogger });
  return (await runScan(config, sources, { logger: silentLogger, credential, stateStore: state })).report;
}

function find(report: ScanReport, cluster: string, namespace: string, workload: string, container?: string): Finding {
  const found = report.clusters.find((c) => c.name === cluster)?.findings.find((f) => f.namespace === namespace && f.workload.name === workload && (!container || f.container === container));
  if (!found) throw new Error(`no finding for ${cluster} ${namespace}/${workload}`);
  return found;
}

const messagesTo = (channel: string, from = 0) => estate.slack.messages.slice(from).filter((m) => m.channel === channel).map((m) => String(m.text));

let report: ScanReport;
let tagPagesBefore: number;
beforeAll(async () => {
  estate = await startSettingsEstate();
  for (const key of Object.keys(process.env)) if (/^(SLACK_|CLUSTER|REGISTRIES|TAG_PATTERN|GRACE_PERIOD|ACR_|EXCLUDED_|SCAN_|STATE_)/.test(key)) delete process.env[key];
  Object.assign(process.env, estate.env);
  state = createStateStore({ kind: 'memory' });
  tagPagesBefore = estate.registry.requests.filter((r) => r.kind === 'tags-page').length;
  report = await scan();
});
afterAll(async () => {
  process.env = savedEnv;
  await estate?.close();
});

describe('settings from every level, through ARM, Kubernetes and ACR', () => {
  it('decides each workload with its own settings and says where each came from', () => {
    expect(find(report, 'prod', 'shop', 'api')).toMatchObject({
      status: 'drift',
      channel: 'shop-team',
      settings: {
        channel: { value: 'shop-team', from: 'namespace label slackChannel on namespace shop' },
        tagPattern: { value: 'prod-*', from: 'default' },
        gracePeriod: { value: '3m', ms: 180_000, from: 'default' },
        track: { value: true, from: 'default' },
      },
    });
    expect(find(report, 'prod', 'shop', 'canary', 'app')).toMatchObject({ status: 'pending', settings: { gracePeriod: { value: '3h', from: 'pod annotation acr-aks-sync.io/grace-period on Deployment/canary' } } });
    expect(find(report, 'prod', 'shop', 'canary', 'proxy')).toMatchObject({
      status: 'in-sync',
      latestTag: 'edge-6',
      settings: { tagPattern: { value: 'edge-*', from: 'pod annotation tag-pattern.acr-aks-sync.io/proxy on Deployment/canary' }, gracePeriod: { value: '3h' } },
    });
    expect(find(report, 'prod', 'team-b', 'web')).toMatchObject({
      status: 'in-sync',
      latestTag: 'main-9',
      channel: 'team-b-alerts',
      settings: { channel: { from: 'namespace annotation acr-aks-sync.io/slack-channel on namespace team-b' }, tagPattern: { value: 'main-*', from: 'namespace annotation acr-aks-sync.io/tag-pattern on namespace team-b' } },
    });
    expect(find(report, 'prod', 'plain', 'worker')).toMatchObject({ status: 'drift', channel: 'prod-alerts', settings: { channel: { from: 'AKS tag acr-aks-sync.slack-channel on cluster prod' } } });
  });

  it('takes CLUSTER_SETTINGS over the AKS tags, and a tag where configuration says nothing', () => {
    const stg = report.clusters.find((c) => c.name === 'stg');
    expect(stg?.settings).toEqual({
      name: { value: 'Staging EU', from: 'CLUSTER_SETTINGS.stg.name' },
      excludedNamespaces: { value: ['kube-system', 'sandbox'], from: 'CLUSTER_SETTINGS.stg.excludedNamespaces' },
    });
    expect(stg?.findings.some((f) => f.namespace === 'sandbox')).toBe(false);
    expect(find(report, 'stg', 'shop', 'api')).toMatchObject({
      status: 'drift',
      latestTag: 'staging-31',
      channel: 'staging-alerts',
      settings: {
        tagPattern: { value: 'staging-*', from: 'CLUSTER_SETTINGS.stg.tagPattern' },
        gracePeriod: { value: '10m', ms: 600_000, from: 'CLUSTER_SETTINGS.stg.gracePeriod' },
        track: { value: true, from: 'namespace annotation acr-aks-sync.io/track on namespace shop' },
      },
    });
    expect(find(report, 'stg', 'other', 'tool')).toMatchObject({
      status: 'untracked',
      reason: 'not watched: cluster stg watches only workloads that opt in (AKS tag acr-aks-sync.track on cluster stg is "annotated"); opt in with acr-aks-sync.io/track: "true" on the workload or its namespace',
      settings: { track: { value: false } },
    });
  });

  it('reports an opted-out workload as untracked and a bad annotation as that workload\'s error, naming it', () => {
    expect(find(report, 'prod', 'shop', 'legacy')).toMatchObject({ status: 'untracked', reason: 'not watched: pod annotation acr-aks-sync.io/track on Deployment/legacy is "false"', settings: { track: { value: false } } });
    const broken = find(report, 'prod', 'shop', 'broken');
    expect(broken).toMatchObject({ status: 'error', channel: 'shop-team' });
    expect(broken.reason).toMatch(/^bad setting: pod annotation acr-aks-sync\.io\/grace-period on Deployment\/broken: duration "soon" is not understood .*\(e\.g\. acr-aks-sync\.io\/grace-period: "10m"\)$/);
    expect(broken).not.toHaveProperty('settings');
  });

  it('makes a bad AKS tag the error of the findings that use it, and scans the cluster', () => {
    const tagged = report.clusters.find((c) => c.name === 'tagged');
    expect(tagged?.ok).toBe(true);
    expect(find(report, 'tagged', 'shop', 'api').reason).toMatch(/^bad setting: AKS tag acr-aks-sync\.grace-period on cluster tagged: duration "whenever" is not understood/);
    expect(find(report, 'tagged', 'team-b', 'web').status).toBe('error');
    expect(find(report, 'tagged', 'shop', 'canary', 'app').status).toBe('pending');
  });

  it('gives every finding whose settings were looked up its provenance, and reads each repository\'s tags once for every pattern', () => {
    const findings = report.clusters.flatMap((c) => c.findings);
    expect(findings.filter((f) => !f.settings).map((f) => f.status).every((s) => s === 'error')).toBe(true);
    expect(findings.filter((f) => f.settings)).toHaveLength(findings.length - 6);
    // shop/api under prod-*, main-*, staging-*; shop/proxy under edge-*: one page each, for all three clusters.
    expect(estate.registry.requests.filter((r) => r.kind === 'tags-page').length - tagPagesBefore).toBe(2);
    // The AKS tags came with the cluster reads the scan makes anyway: one get and one credentials request per cluster.
    expect(estate.arm.requests.map((r) => r.kind).sort()).toEqual(['arm-credentials', 'arm-credentials', 'arm-credentials', 'arm-get', 'arm-get', 'arm-get']);
  });

  it('alerts each channel the settings name, and shows a cluster by its name setting', () => {
    expect(messagesTo('#shop-team').join('\n')).toContain('Warning: AKS cluster prod is running shop/api:prod-19 instead of shop/api:prod-20');
    expect(messagesTo('#prod-alerts').join('\n')).toContain('shop/api:prod-19');
    expect(messagesTo('#staging-alerts').join('\n')).toContain('Warning: AKS cluster Staging EU is running shop/api:staging-30 instead of shop/api:staging-31');
  });
});

describe('alerts when a setting changes', () => {
  it('moves an alert to its new channel with a reminder, never a second alert', async () => {
    const before = estate.slack.messages.length;
    estate.prodCluster.setNamespaces(estate.prodNamespaces.map((n) => (n.name === 'plain' ? { ...n, annotations: { 'acr-aks-sync.io/slack-channel': 'plain-team' } } : n)));
    const moved = await scan();
    expect(find(moved, 'prod', 'plain', 'worker')).toMatchObject({ status: 'drift', channel: 'plain-team' });
    const toPlain = messagesTo('#plain-team', before).join('\n');
    expect(toPlain).toContain('Still lagging');
    expect(toPlain).toContain('shop/api:prod-19');
    expect(messagesTo('#prod-alerts', before)).toEqual([]);
    expect(messagesTo('#shop-team', before)).toEqual([]);
    const records = (await state.load(['prod'])).alerts.map((a) => a.record);
    expect(records.filter((r) => r.workloadName === 'worker').map((r) => r.channel)).toEqual(['plain-team']);
  });

  it('resolves an alert as "no longer tracked" when a pattern change leaves its workload untracked', async () => {
    const before = estate.slack.messages.length;
    estate.prodCluster.setNamespaces(estate.prodNamespaces.map((n) => (n.name === 'shop' ? { ...n, annotations: { 'acr-aks-sync.io/tag-pattern': 'main-*' } } : n)));
    const changed = await scan();
    expect(find(changed, 'prod', 'shop', 'api')).toMatchObject({ status: 'untracked', reason: 'tag prod-19 does not match the tag pattern "main-*" (namespace annotation acr-aks-sync.io/tag-pattern on namespace shop)' });
    const resolved = estate.slack.messages.slice(before).filter((m) => m.channel === '#shop-team');
    expect(resolved.map((m) => String(m.text)).join('\n')).toMatch(/Resolved: on AKS cluster prod, shop\/api \(container api\) now runs shop\/api:prod-19/);
    expect(JSON.stringify(resolved)).toContain('(no longer tracked)');
  });
});
