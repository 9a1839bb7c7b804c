/**
 * The Azure Monitor export of the metrics, against an emulated Application Insights ingestion
 * endpoint that accepts Entra tokens only, with the token from the emulated managed identity:
 * what is recorded reaches the resource when `flush` resolves, with the identity's token for
 * Azure Monitor and nothing else; a failed export is reported by `flush`, never thrown.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MONITOR_RESOURCE, startAppInsightsIngestion, type AppInsightsIngestion } from '../../emulators/appInsights.js';
import { startManagedIdentityEndpoint, type ManagedIdentityEndpoint } from '../../emulators/managedIdentity.js';
import { ensureTestPki } from '../../emulators/testPki.js';
import { createAzureCredential } from '../../src/identity/createAzureCredential.js';
import { startMetricsExport, type MetricsExport } from '../../src/metrics/metricsExport.js';
import { recordDetectionLatency, recordSlackPost } from '../../src/metrics/scanMetrics.js';

const CLIENT_ID = '12345678-1234-1234-1234-123456789abc';
let identity: ManagedIdentityEndpoint;
let ingestion: AppInsightsIngestion;
let telemetry: MetricsExport;
const savedEnv = { ...process.env };

beforeAll(async () => {
  identity = await startManagedIdentityEndpoint({ clientId: CLIENT_ID });
  ingestion = await startAppInsightsIngestion({ pki: ensureTestPki(), validateToken: (token) => identity.validate(token, MONITOR_RESOURCE) });
  Object.assign(process.env, identity.env);
  telemetry = await startMetricsExport({ connectionString: ingestion.connectionString, credential: createAzureCredential({ azureClientId: CLIENT_ID }), offlineStorage: false });
});

afterAll(async () => {
  await telemetry?.shutdown();
  process.env = savedEnv;
  await Promise.all([ingestion?.close(), identity?.close()]);
});

describe('metrics export to Application Insights', () => {
  it('sends what was recorded by the time flush resolves, with the managed identity token for Azure Monitor', async () => {
    recordSlackPost('webhook', 'ok');
    recordSlackPost('webhook', 'ok');
    recordDetectionLatency(90_000, { cluster: 'prod-aks' });
    expect(await telemetry.flush()).toBeNull();
    const points = ingestion.metrics();
    expect(points).toContainEqual({ name: 'acrsync.slack.posts', value: 2, count: 1, dimensions: { via: 'webhook', result: 'ok' }, role: 'acr-aks-sync' });
    expect(points).toContainEqual({ name: 'acrsync.detection.latency', value: 90, count: 1, dimensions: { cluster: 'prod-aks' }, role: 'acr-aks-sync' });
    expect(ingestion.tokens.length).toBeGreaterThan(0);
    expect(ingestion.tokens.every((t) => identity.validate(t, MONITOR_RESOURCE))).toBe(true);
    expect(identity.tokensIssued.map((t) => t.resource)).toEqual([MONITOR_RESOURCE]);
    expect(identity.requests.every((r) => r.query.client_id === CLIENT_ID)).toBe(true);
  });

  it('sends each recording once: a counter is exported as what was added since the last export', async () => {
    const before = ingestion.metrics().length;
    recordSlackPost('bot', 'retryable');
    expect(await telemetry.flush()).toBeNull();
    const added = ingestion.metrics().slice(before);
    expect(added).toEqual([{ name: 'acrsync.slack.posts', value: 1, count: 1, dimensions: { via: 'bot', result: 'retryable' }, role: 'acr-aks-sync' }]);
  });

  it('reports an export the resource refused, and goes on', async () => {
    ingestion.failNext(1, 400);
    recordSlackPost('bot', 'ok');
    const failure = await telemetry.flush();
    expect(failure).toEqual(expect.any(String));
    recordSlackPost('bot', 'fatal');
    expect(await telemetry.flush()).toBeNull();
    expect(ingestion.metrics().at(-1)).toMatchObject({ name: 'acrsync.slack.posts', dimensions: { via: 'bot', result: 'fatal' } });
  });
});
