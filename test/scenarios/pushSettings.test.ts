/**
 * Push checks follow the settings each workload resolves (Finding.settings, recorded in the push
 * index): in the sandbox, web/storefront runs in the staging namespace on its own pattern
 * staging-* with its own 10m grace period, and in web on TAG_PATTERN (prod-*) with GRACE_PERIOD
 * (its grace-period annotation is bad, so that workload falls back to the app's settings). The
 * app runs in the Functions host stand-in against the sandbox through ARM; the registry writes
 * each push's event to the queue as Event Grid does.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PushBenchApp } from '../../bench/pushRun.js';
import { startAzurite, type Azurite } from '../../emulators/azurite.js';
import { digestOf, startSandbox, type Sandbox } from '../../emulators/sandbox.js';
import { startSandboxArm, type SandboxArm } from '../../emulators/sandboxArm.js';
import { ensureTestPki } from '../../emulators/testPki.js';
import { CHECK_MARGIN_MS } from '../../src/push/planChecks.js';
import { startInProcessApp } from '../support/inProcessApp.js';

const PUSH_QUEUE = 'settings-pushes';
const savedEnv = { ...process.env };
let storage: Azurite;
let sandbox: Sandbox;
let arm: SandboxArm;
let app: PushBenchApp;

beforeAll(async () => {
  const pki = ensureTestPki();
  storage = await startAzurite({ services: ['table', 'queue'] });
  sandbox = await startSandbox(pki, new Date(), { eventGrid: { connectionString: storage.connectionString, queueName: PUSH_QUEUE } });
  arm = await startSandboxArm(sandbox, pki);
  app = await startInProcessApp({ ...sandbox.env, ...arm.env, AzureWebJobsStorage: storage.connectionString, PUSH_CHECKS: 'true', PUSH_QUEUE, GRACE_PERIOD: '1h' });
  await app.runTimer();
}, 120_000);

afterAll(async () => {
  await app?.stop();
  await arm?.close();
  await sandbox?.close();
  await storage?.close();
  process.env = savedEnv;
});

/** Pushes `tag` of web/storefront; the imagePushed line about it, and the push time. */
async function push(tag: string, outcome: 'push event dropped' | 'push checks scheduled'): Promise<{ line: string; pushedAt: number }> {
  const after = app.logs.length;
  const event = await sandbox.registry.pushTag('web/storefront', { name: tag, digest: digestOf(`storefront-${tag}`) });
  const line = await app.waitForLog((l) => l.includes(outcome) && l.includes(tag), after, 60_000);
  return { line, pushedAt: Date.parse(event.data.timestamp) };
}

const due = (pushedAt: number, graceMs: number) => `sandbox-aks@${new Date(pushedAt + graceMs + CHECK_MARGIN_MS).toISOString()}`;

describe('push checks with settings per workload', () => {
  it('drops a tag that matches neither pattern in use for the repository, naming both', async () => {
    const { line } = await push('dev-7', 'push event dropped');
    expect(line).toContain('matches no tag pattern in use for it');
    expect(line).toMatch(/\((staging-\*, prod-\*|prod-\*, staging-\*)\)/);
  });

  it("schedules a staging-* tag at push + the staging namespace's own grace period (10m), not GRACE_PERIOD", async () => {
    const { line, pushedAt } = await push('staging-43', 'push checks scheduled');
    expect(line).toContain(`checks=${due(pushedAt, 10 * 60_000)}`);
    expect(line).not.toContain(',sandbox-aks@');
  });

  it('schedules a prod-* tag at push + GRACE_PERIOD for the workload that falls back to the app settings', async () => {
    const { line, pushedAt } = await push('prod-10', 'push checks scheduled');
    expect(line).toContain(`checks=${due(pushedAt, 3_600_000)}`);
    expect(line).not.toContain(',sandbox-aks@');
  });
});
