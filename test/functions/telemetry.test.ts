/**
 * The functions' metrics reach Application Insights, as deployed: with
 * APPLICATIONINSIGHTS_CONNECTION_STRING set, an invocation of scanNow against the three-cluster
 * estate (ARM, managed identity, ACR, Slack emulators) has exported its scan's metrics, with the
 * managed identity's token, by the time the handler returns; a connection string that cannot work
 * is logged and the scan goes on without metrics.
 */
import { HttpRequest } from '@azure/functions';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MONITOR_RESOURCE, startAppInsightsIngestion, type AppInsightsIngestion } from '../../emulators/appInsights.js';
import { ensureTestPki } from '../../emulators/testPki.js';
import { scanNowHandler } from '../../src/functions/scanNow.js';
import { CLIENT_ID } from '../support/estate.js';
import { useThreeClusterEstate } from '../support/estateFixture.js';

// Before the fixture's setup, which clears the ACR_* variables (ACR_AKS_SYNC_TEST_PKI among them).
const pki = ensureTestPki();
const fixture = useThreeClusterEstate();
let ingestion: AppInsightsIngestion;

beforeAll(async () => {
  ingestion = await startAppInsightsIngestion({ pki, validateToken: (token) => fixture.estate.identity.validate(token, MONITOR_RESOURCE) });
});
afterAll(async () => {
  delete process.env.APPLICATIONINSIGHTS_CONNECTION_STRING;
  await ingestion?.close();
});

const scanNow = () => scanNowHandler(new HttpRequest({ method: 'GET', url: 'http://localhost:7071/api/scanNow?dryRun=true' }), fixture.context());

describe('function metrics', () => {
  it('logs a connection string that cannot work, and scans without metrics', async () => {
    process.env.APPLICATIONINSIGHTS_CONNECTION_STRING = 'InstrumentationKey=not-a-guid;IngestionEndpoint=http://example.invalid/';
    const response = await scanNow();
    expect(response.status).toBe(200);
    expect(fixture.logs).toContainEqual(expect.stringMatching(/^error metrics export not started reason="APPLICATIONINSIGHTS_CONNECTION_STRING needs InstrumentationKey=<the resource's GUID>; metrics are off/));
    expect(ingestion.requests).toEqual([]);
  });

  it('has sent the scan\'s metrics, with the managed identity\'s token, when the invocation returns', async () => {
    process.env.APPLICATIONINSIGHTS_CONNECTION_STRING = ingestion.connectionString;
    const response = await scanNow();
    expect(response.status).toBe(200);
    const points = ingestion.metrics();
    expect(points).toContainEqual(expect.objectContaining({ name: 'acrsync.findings', value: 1, dimensions: { cluster: 'orders', namespace: 'orders', channel: 'orders-team', status: 'drift' } }));
    expect(points).toContainEqual(expect.objectContaining({ name: 'acrsync.scan.duration', dimensions: { cluster: 'legacy-aks', ok: 'false' } }));
    expect(points).toContainEqual(expect.objectContaining({ name: 'acrsync.cluster.pods', value: 5, dimensions: { cluster: 'orders' } }));
    expect(points.filter((p) => p.name === 'acrsync.scan.since_last_success').map((p) => p.dimensions.cluster).sort()).toEqual(['billing-aks', 'orders']);
    expect(ingestion.tokens.length).toBeGreaterThan(0);
    expect(ingestion.tokens.every((t) => fixture.estate.identity.validate(t, MONITOR_RESOURCE))).toBe(true);
    const monitorTokens = fixture.estate.identity.requests.filter((r) => r.query.resource === MONITOR_RESOURCE);
    expect(monitorTokens.length).toBeGreaterThan(0);
    expect(monitorTokens.every((r) => r.query.client_id === CLIENT_ID)).toBe(true);
  });

  it('sends the next invocation\'s metrics with the same export, once each', async () => {
    const before = ingestion.metrics().filter((p) => p.name === 'acrsync.scan.duration').length;
    await scanNow();
    expect(ingestion.metrics().filter((p) => p.name === 'acrsync.scan.duration').length - before).toBe(3);
  });
});
