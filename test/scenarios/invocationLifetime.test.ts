/**
 * A function invocation returns with nothing it started left running, even when the identity
 * endpoint or ARM accepts requests and never answers: the HTTP handler as the host calls it.
 */
import { HttpRequest, InvocationContext } from '@azure/functions';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startManagedIdentityEndpoint } from '../../emulators/managedIdentity.js';
import { scanNowHandler } from '../../src/functions/scanNow.js';
import type { ScanReport } from '../../src/model/finding.js';
import { resourceId } from '../support/estate.js';
import { startStuckClusterEstate, type StuckClusterEstate } from '../support/onePodEstate.js';

let estate: StuckClusterEstate;
const savedEnv = { ...process.env };

beforeAll(async () => {
  estate = await startStuckClusterEstate('get');
  for (const key of Object.keys(process.env)) if (/^(SLACK_|CLUSTERS|REGISTRIES|ACR_|AZURE_CLIENT_ID)/.test(key)) delete process.env[key];
  Object.assign(process.env, estate.env, {
    CLUSTERS: [resourceId('rg', 'stuck-aks'), resourceId('rg', 'healthy-aks')].join(','),
    CLUSTER_TIMEOUT: '1s',
  });
});
afterAll(async () => {
  process.env = savedEnv;
  await estate?.close();
});

async function scanNow(): Promise<ScanReport> {
  const context = new InvocationContext({ invocationId: 'lifetime', functionName: 'scanNow', logHandler: () => undefined });
  const response = await scanNowHandler(new HttpRequest({ method: 'GET', url: 'http://localhost:7071/api/scanNow?dryRun=true' }), context);
  expect(response.status).toBe(200);
  return response.jsonBody as ScanReport;
}

describe('scanNow returns with nothing left running', () => {
  it('cancels every token request to an identity endpoint that never answers', async () => {
    // First in this file: no token is cached yet (MSAL keeps tokens for the process).
    const hung = await startManagedIdentityEndpoint({ hang: true });
    try {
      const report = await scanNow();
      expect(report.clusters.every((c) => !c.ok)).toBe(true);
      await expect.poll(() => hung.open.count, { timeout: 10_000 }).toBe(0);
      expect(hung.open.closedCount).toBeGreaterThan(0);
    } finally {
      await hung.close();
    }
  });
  it('cancels an ARM read that never answers, and reports the other cluster', async () => {
    const report = await scanNow();
    expect(report.clusters.map((c) => [c.name, c.ok, c.error ?? ''])).toEqual([
      ['stuck-aks', false, 'cluster scan exceeded its time budget (CLUSTER_TIMEOUT) of 1s'],
      ['healthy-aks', true, ''],
    ]);
    await expect.poll(() => estate.arm.open.count, { timeout: 10_000 }).toBe(0);
    expect(estate.arm.open.closedCount).toBe(1);
  });

});
