/**
 * The CLI process as a user runs it, for what it shows beyond the report: `--output html` writes
 * the status page of its scan, and with APPLICATIONINSIGHTS_CONNECTION_STRING set it sends the
 * scan's metrics to that resource with the identity (here the emulated managed identity) before
 * it exits, and exits at once.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MONITOR_RESOURCE, startAppInsightsIngestion, type AppInsightsIngestion } from '../../emulators/appInsights.js';
import { startSandbox, type Sandbox } from '../../emulators/sandbox.js';
import { ensureTestPki } from '../../emulators/testPki.js';
import { runProcess, type ProcessResult } from '../support/runProcess.js';

const BIN = join(import.meta.dirname, '..', '..', 'bin', 'acr-aks-sync.js');
let sandbox: Sandbox;
let ingestion: AppInsightsIngestion;
let run: ProcessResult;

beforeAll(async () => {
  sandbox = await startSandbox(ensureTestPki());
  ingestion = await startAppInsightsIngestion({ pki: ensureTestPki(), validateToken: (token) => sandbox.identity.validate(token, MONITOR_RESOURCE) });
  const env = { PATH: process.env.PATH, HOME: process.env.HOME, ...sandbox.env, APPLICATIONINSIGHTS_CONNECTION_STRING: ingestion.connectionString };
  run = await runProcess(process.execPath, [BIN, 'scan', '--kubeconfig', sandbox.kubeconfigPath, '--dry-run', '--output', 'html'], { env });
});

afterAll(async () => {
  await Promise.all([ingestion?.close(), sandbox?.close()]);
});

describe('acr-aks-sync scan --output html, with Application Insights configured', () => {
  it('writes the status page of its scan, and exits as the report says', () => {
    expect(run.code).toBe(2); // the identity may not read the private registry
    expect(run.stdout).toMatch(/^<!doctype html>\n<html lang="en">/);
    expect(run.stdout).toMatch(/<code>Deployment\/payments-worker<\/code>.*<span class="badge drift">Drift<\/span>/s);
    expect(run.stdout).toContain('From acr-aks-sync scan, on the command line.');
    expect(run.stdout).not.toContain(sandbox.env.SLACK_WEBHOOK_URL);
  });

  it('has sent the scan\'s metrics with the identity\'s token before exiting, and left nothing running', () => {
    expect(ingestion.metrics()).toContainEqual(expect.objectContaining({ name: 'acrsync.findings', value: 1, dimensions: { cluster: 'sandbox-aks', namespace: 'payments', channel: 'payments-alerts', status: 'drift' } }));
    expect(ingestion.tokens.length).toBeGreaterThan(0);
    expect(ingestion.tokens.every((t) => sandbox.identity.validate(t, MONITOR_RESOURCE))).toBe(true);
    expect(run.stderr).not.toMatch(/still running|metrics not sent|metrics export not started/);
  });
});
