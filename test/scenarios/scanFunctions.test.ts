/**
 * The exported function handlers, called as the Functions host would call them, against a
 * three-cluster estate reached through ARM with the managed identity: the real
 * @azure/arm-containerservice, @kubernetes/client-node, @azure/container-registry and
 * @azure/identity clients, and emulators at the network boundary.
 */
import { HttpRequest } from '@azure/functions';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ACR_RESOURCE } from '../../emulators/sandbox.js';
import { scanTimerHandler } from '../../src/functions/scan.js';
import { scanNowHandler } from '../../src/functions/scanNow.js';
import type { ScanReport } from '../../src/model/finding.js';
import { AKS_RESOURCE, resourceId, SUBSCRIPTION, type ThreeClusterEstate } from '../support/estate.js';
import { useThreeClusterEstate } from '../support/estateFixture.js';

const fixture = useThreeClusterEstate();
const { logs } = fixture;
const context = () => fixture.context();
let estate: ThreeClusterEstate;
beforeAll(() => {
  estate = fixture.estate;
});

function get(query: string): HttpRequest {
  return new HttpRequest({ method: 'GET', url: `http://localhost:7071/api/scanNow${query}` });
}

describe('scanNow (HTTP trigger)', () => {
  let report: ScanReport;
  let slackBefore: number;
  let body: string;

  beforeAll(async () => {
    slackBefore = estate.slack.messages.length;
    const response = await scanNowHandler(get(''), context());
    expect(response.status).toBe(200);
    report = response.jsonBody as ScanReport;
    body = JSON.stringify(response.jsonBody);
  });

  it('scans the Entra cluster with the identity token and the local-account cluster with its own certificate', () => {
    const orders = report.clusters.find((c) => c.name === 'orders');
    const billing = report.clusters.find((c) => c.name === 'billing-aks');
    expect(orders).toMatchObject({ ok: true, pods: 5 });
    expect(orders?.findings.find((f) => f.workload.name === 'orders-api')).toMatchObject({ status: 'drift', deployedTag: 'prod-19', latestTag: 'prod-20', pods: 4, channel: 'orders-team' });
    expect(orders?.findings.find((f) => f.workload.name === 'orders-svc')).toMatchObject({ status: 'in-sync' });
    expect(billing).toMatchObject({ ok: true, pods: 1 });
    expect(billing?.findings[0]).toMatchObject({ status: 'drift', channel: 'platform-alerts' });
    expect(estate.kubernetesTokens.local).toEqual([]); // a client certificate, no bearer token
  });

  it('says where each finding\'s settings came from', () => {
    const findings = report.clusters.flatMap((c) => c.findings);
    expect(findings.length).toBeGreaterThan(0);
    expect(findings.every((f) => f.settings !== undefined)).toBe(true);
    expect(report.clusters.find((c) => c.name === 'orders')?.findings.find((f) => f.workload.name === 'orders-api')?.settings).toEqual({
      channel: { value: 'orders-team', from: 'namespace label slackChannel on namespace orders' },
      tagPattern: { value: 'prod-*', from: 'default' },
      gracePeriod: { value: '3m', ms: 180_000, from: 'default' },
      track: { value: true, from: 'default' },
    });
    expect(report.clusters.find((c) => c.name === 'billing-aks')?.findings[0]?.settings?.channel).toEqual({ value: 'platform-alerts', from: 'SLACK_CHANNEL' });
  });

  it('reports the cluster it may not read with the missing role and the scope, and still scans the others', () => {
    const legacy = report.clusters.find((c) => c.name === 'legacy-aks');
    expect(legacy?.ok).toBe(false);
    expect(legacy?.error).toContain('403');
    expect(legacy?.error).toContain('Microsoft.ContainerService/managedClusters/listClusterUserCredential/action');
    expect(legacy?.error).toContain('Azure Kubernetes Service Cluster User Role');
    expect(legacy?.error).toContain(resourceId('legacy-rg', 'legacy-aks'));
    expect(report.summary).toMatchObject({ clusters: 3, clustersFailed: 1, drift: 2 });
  });

  it('looks the repository shared by two clusters up once', () => {
    const pages = estate.registry.requests.filter((r) => r.kind === 'tags-page' && r.status === 200 && decodeURIComponent(r.path).includes('shared/base-api'));
    expect(pages).toHaveLength(1);
  });

  it('sends each token only where it belongs', () => {
    expect(estate.kubernetesTokens.entra.length).toBeGreaterThan(0);
    expect(estate.kubernetesTokens.entra.every((t) => estate.identity.validate(t, AKS_RESOURCE))).toBe(true);
    expect(estate.registryExchanges.length).toBeGreaterThan(0);
    expect(estate.registryExchanges.every((t) => estate.identity.validate(t, ACR_RESOURCE))).toBe(true);
    expect(estate.armTokens.length).toBeGreaterThan(0);
    expect(estate.armTokens.every((t) => estate.identity.validate(t, estate.armResource))).toBe(true);
    const everywhere = [...estate.kubernetesTokens.entra, ...estate.registryExchanges, ...estate.armTokens];
    for (const t of estate.kubernetesTokens.entra) expect(estate.registryExchanges.includes(t) || estate.armTokens.includes(t)).toBe(false);
    expect(everywhere.length).toBeGreaterThan(2);
    expect(estate.identity.requests.every((r) => r.query.client_id === estate.env.AZURE_CLIENT_ID)).toBe(true);
  });

  it('alerts Slack with the cluster alias in the message', () => {
    const texts = estate.slack.messages.slice(slackBefore).map((m) => `${String(m.channel)} ${String(m.text)}`);
    expect(texts.some((t) => t.startsWith('#orders-team') && t.includes('AKS cluster orders is running shared/base-api:prod-19 instead of shared/base-api:prod-20'))).toBe(true);
    expect(texts.some((t) => t.startsWith('#platform-alerts') && t.includes('AKS cluster billing-aks'))).toBe(true);
  });

  it('never returns a secret', () => {
    expect(body).not.toContain(estate.env.SLACK_WEBHOOK_URL);
    for (const t of estate.identity.tokensIssued) expect(body).not.toContain(t.token);
    expect(body).not.toContain('BEGIN');
  });
});

describe('scanNow parameters', () => {
  it('limits the scan to the named clusters and sends nothing on a dry run', async () => {
    const before = estate.slack.messages.length;
    const response = await scanNowHandler(get('?cluster=orders&dryRun=true'), context());
    expect(response.status).toBe(200);
    const report = response.jsonBody as ScanReport;
    expect(report.clusters.map((c) => c.name)).toEqual(['orders']);
    expect(report.summary.drift).toBe(1);
    expect(estate.slack.messages.length).toBe(before);
  });

  it('accepts POST with a JSON body', async () => {
    const response = await scanNowHandler(
      new HttpRequest({ method: 'POST', url: 'http://localhost:7071/api/scanNow', body: { string: JSON.stringify({ clusters: ['billing-aks'], dryRun: true }) } }),
      context(),
    );
    expect(response.status).toBe(200);
    expect((response.jsonBody as ScanReport).clusters.map((c) => c.name)).toEqual(['billing-aks']);
  });

  it('answers 404 naming the known clusters for an unknown one', async () => {
    const response = await scanNowHandler(get('?cluster=nope&dryRun=true'), context());
    expect(response.status).toBe(404);
    expect(response.jsonBody).toEqual({ error: 'unknown cluster(s): nope', knownClusters: ['orders', 'billing-aks', 'legacy-aks'] });
  });

  it.each([
    ['?dryrun=true&Cluster=orders', ['orders']],
    ['?DRYRUN=1&CLUSTER=billing-aks', ['billing-aks']],
    ['?cluster=orders&Cluster=billing-aks&dryRun=true', ['orders', 'billing-aks']],
    // the host joins a repeated key with commas
    ['?cluster=orders,billing-aks&dryRun=true', ['orders', 'billing-aks']],
    ['?cluster=orders&dryRun=true&DryRun=yes', ['orders']],
    ['?cluster=orders&dryRun=true,true', ['orders']],
  ])('takes parameter names in any case: %s', async (query, clusters) => {
    const before = estate.slack.messages.length;
    const response = await scanNowHandler(get(query), context());
    expect(response.status).toBe(200);
    expect((response.jsonBody as ScanReport & { dryRun: boolean }).dryRun).toBe(true);
    expect((response.jsonBody as ScanReport).clusters.map((c) => c.name)).toEqual(clusters);
    expect(estate.slack.messages.length).toBe(before);
  });

  it.each([
    ['?dryRun=maybe', /dryRun must be true or false/],
    ['?clusters=orders', /unknown query parameter "clusters"/],
    ['?dry_run=true', /unknown query parameter "dry_run"; use cluster= \(repeatable\) and dryRun=true\|false/],
    ['?dryRun=true&dryrun=false', /dryRun is given more than once, with different values/],
    ['?dryRun=true,false', /dryRun is given more than once, with different values/],
    [`?${'x'.repeat(10_000)}=1`, /^unknown query parameter "x{40}…" \(10000 characters\)/],
    [`?dryRun=${'y'.repeat(10_000)}`, /^dryRun must be true or false, got "y{40}…" \(10000 characters\)$/],
  ])('answers 400 for %s', async (query, message) => {
    const response = await scanNowHandler(get(query), context());
    expect(response.status).toBe(400);
    expect(String((response.jsonBody as { error: string }).error)).toMatch(message);
  });

  it('answers 400 for a body that is not JSON', async () => {
    const response = await scanNowHandler(new HttpRequest({ method: 'POST', url: 'http://localhost:7071/api/scanNow', body: { string: '{nope' } }), context());
    expect(response.status).toBe(400);
  });
});

describe('an invalid SCAN_SCHEDULE', () => {
  const timer = { isPastDue: false, schedule: { adjustForDST: true }, scheduleStatus: { last: '', next: '', lastUpdated: '' } };
  beforeAll(() => {
    process.env.SCAN_SCHEDULE = '0 0 9 ? * MON';
  });
  afterAll(() => {
    delete process.env.SCAN_SCHEDULE;
  });

  it('does not stop scanNow, which says in its answer and in the log that the default schedule runs', async () => {
    const response = await scanNowHandler(get('?cluster=orders&dryRun=true'), context());
    expect(response.status).toBe(200);
    const body = response.jsonBody as ScanReport & { warnings: unknown };
    expect(body.clusters.map((c) => c.name)).toEqual(['orders']);
    expect(body.warnings).toEqual([
      {
        variable: 'SCAN_SCHEDULE',
        message: expect.stringMatching(/^day field "\?": .*; the timer runs on the default schedule "0 \*\/5 \* \* \* \*" until SCAN_SCHEDULE is fixed$/),
        example: '0 0 9 1,15 * *',
      },
    ]);
    expect(logs.filter((l) => l.startsWith('error acr-aks-sync configuration warning: SCAN_SCHEDULE: day field "?"'))).toHaveLength(1);
  });

  it('is in the 404 answer too', async () => {
    const response = await scanNowHandler(get('?cluster=nope&dryRun=true'), context());
    expect(response.status).toBe(404);
    expect(response.jsonBody).toMatchObject({ error: 'unknown cluster(s): nope', warnings: [{ variable: 'SCAN_SCHEDULE' }] });
  });

  it('is logged as an error by every timer run, which still scans', async () => {
    await scanTimerHandler(timer, context());
    expect(logs.filter((l) => l.startsWith('error acr-aks-sync configuration warning: SCAN_SCHEDULE:'))).toHaveLength(1);
    expect(logs.filter((l) => l.includes('scan finished'))).toHaveLength(1);
  });

  it('answers without warnings once it is valid', async () => {
    process.env.SCAN_SCHEDULE = '0 0 9 * * Mon';
    const response = await scanNowHandler(get('?cluster=orders&dryRun=true'), context());
    expect(response.status).toBe(200);
    expect(response.jsonBody).not.toHaveProperty('warnings');
    expect(logs.filter((l) => l.includes('configuration warning'))).toEqual([]);
  });
});

describe('cluster discovery and failure reasons', () => {
  it('scans every cluster of a subscription carrying a tag', async () => {
    process.env.CLUSTERS = `subscription:${SUBSCRIPTION}?tag=env:prod`;
    try {
      const response = await scanNowHandler(get('?dryRun=true'), context());
      const report = response.jsonBody as ScanReport;
      expect(report.clusters.map((c) => c.name).sort()).toEqual(['billing-aks', 'orders-aks']);
      expect(report.clusters.every((c) => c.ok)).toBe(true);
    } finally {
      process.env.CLUSTERS = estate.env.CLUSTERS;
    }
  });

  it('says a deleted cluster does not exist', async () => {
    process.env.CLUSTERS = resourceId('orders-rg', 'gone-aks');
    try {
      const report = (await scanNowHandler(get('?dryRun=true'), context())).jsonBody as ScanReport;
      expect(report.clusters[0]?.ok).toBe(false);
      expect(report.clusters[0]?.error).toMatch(/404.*does not exist/);
    } finally {
      process.env.CLUSTERS = estate.env.CLUSTERS;
    }
  });
});

describe('overlapping runs', () => {
  it('a timer run and an HTTP run at the same time send each alert once', async () => {
    process.env.STATE_TABLE = 'overlaptest';
    const before = estate.slack.messages.length;
    try {
      const timer = { isPastDue: false, schedule: { adjustForDST: true }, scheduleStatus: { last: '', next: '', lastUpdated: '' } };
      const [, http] = await Promise.all([scanTimerHandler(timer, context()), scanNowHandler(get(''), context())]);
      expect(http.status).toBe(200);
    } finally {
      delete process.env.STATE_TABLE;
    }
    const text = estate.slack.messages.slice(before).map((m) => String(m.text)).join('\n');
    const count = (needle: string) => text.split(needle).length - 1;
    expect(count('AKS cluster orders is running shared/base-api:prod-19')).toBe(1);
    expect(count('AKS cluster billing-aks is running shared/base-api:prod-19')).toBe(1);
  });

  it('stays silent on the next scan when nothing changed', async () => {
    const before = estate.slack.messages.length;
    const response = await scanNowHandler(get(''), context());
    expect((response.jsonBody as ScanReport).summary.drift).toBe(2);
    expect(estate.slack.messages.length).toBe(before);
  });
});

describe('scan (timer trigger)', () => {
  it('scans every cluster and logs one summary line per cluster and a total', async () => {
    await scanTimerHandler({ isPastDue: false, schedule: { adjustForDST: true }, scheduleStatus: { last: '', next: '', lastUpdated: '' } }, context());
    const clusterLines = logs.filter((l) => l.includes('cluster scanned'));
    expect(clusterLines).toHaveLength(3);
    expect(clusterLines.some((l) => l.includes('cluster=legacy-aks') && l.includes('ok=false'))).toBe(true);
    expect(logs.filter((l) => l.includes('scan finished'))).toHaveLength(1);
  });
});
