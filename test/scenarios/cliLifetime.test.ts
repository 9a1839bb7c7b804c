/**
 * The CLI as a separate process exits soon after printing its report, whatever hangs: the
 * managed-identity endpoint or ARM. Liveness, not timing: the bound is generous, and only an
 * exit that does not come (something left running keeps the process alive) fails the test.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startManagedIdentityEndpoint } from '../../emulators/managedIdentity.js';
import type { ScanReport } from '../../src/model/finding.js';
import { resourceId as groupResourceId, SUBSCRIPTION as SUB } from '../support/estate.js';
import { startStuckClusterEstate, type StuckClusterEstate } from '../support/onePodEstate.js';

const ROOT = join(import.meta.dirname, '..', '..');
const BIN = join(ROOT, 'bin', 'acr-aks-sync.js');
const resourceId = (name: string) => groupResourceId('rg', name);
/** Far more than the few seconds an exit takes; an exit that waits for a hung request never comes. */
const EXIT_BOUND_MS = 15_000;
/** A run that prints no report at all is killed after this long. */
const REPORT_BOUND_MS = 45_000;

interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
  /** The process had to be killed: it did not exit within EXIT_BOUND_MS of printing its report, or printed none. */
  killed: boolean;
}

/** Runs the CLI and kills it when it has not exited EXIT_BOUND_MS after its report (its last stdout). */
function runCli(env: Record<string, string>): Promise<CliRun> {
  if (!existsSync(join(ROOT, 'dist', 'src', 'cli', 'main.js'))) throw new Error('dist/ is missing: run `npm run build` (npm test does it) before this test');
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, 'scan', '--output', 'json', '--dry-run'], {
      env: { PATH: process.env.PATH, HOME: process.env.HOME, NODE_EXTRA_CA_CERTS: process.env.NODE_EXTRA_CA_CERTS, ...env },
    });
    let stdout = '';
    let stderr = '';
    let killed = false;
    const kill = (): void => {
      killed = true;
      child.kill('SIGKILL');
    };
    let killer = setTimeout(kill, REPORT_BOUND_MS);
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
      clearTimeout(killer);
      killer = setTimeout(kill, EXIT_BOUND_MS);
    });
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('exit', (code) => {
      clearTimeout(killer);
      resolve({ code, stdout, stderr, killed });
    });
  });
}

let estate: StuckClusterEstate;

beforeAll(async () => {
  estate = await startStuckClusterEstate('credentials', ['arm-list']);
});
afterAll(async () => {
  await estate?.close();
});

const env = (clusters: string[]) => ({ ...estate.env, CLUSTERS: clusters.join(','), CLUSTER_TIMEOUT: '2s' });

describe('acr-aks-sync scan exits soon after its report', () => {
  it('when the managed-identity endpoint accepts every request and never answers', async () => {
    const hung = await startManagedIdentityEndpoint({ hang: true });
    try {
      const run = await runCli({ ...env([resourceId('healthy-aks')]), IDENTITY_HEADER: hung.header });
      expect(run.killed).toBe(false);
      expect(run.stderr).not.toContain('still running'); // exited on its own, not by the launcher's backstop
      const report = JSON.parse(run.stdout) as ScanReport;
      expect(report.clusters).toEqual([expect.objectContaining({ name: 'healthy-aks', ok: false, error: 'cluster scan exceeded its time budget (CLUSTER_TIMEOUT) of 2s' })]);
      expect(run.code).toBe(2);
      await expect.poll(() => hung.open.count, { timeout: 10_000 }).toBe(0); // the child closed every request it had made
      expect(hung.open.closedCount).toBeGreaterThan(0);
    } finally {
      await hung.close();
    }
  });

  it('when ARM accepts a cluster list and a cluster\'s credentials request and never answers', async () => {
    const run = await runCli(env([`subscription:${SUB}`, resourceId('stuck-aks'), resourceId('healthy-aks')]));
    expect(run.killed).toBe(false);
    expect(run.stderr).not.toContain('still running');
    const report = JSON.parse(run.stdout) as ScanReport;
    expect(report.clusters.map((c) => [c.name, c.ok, c.error ?? ''])).toEqual([
      ['stuck-aks', false, 'cluster scan exceeded its time budget (CLUSTER_TIMEOUT) of 2s'],
      ['healthy-aks', true, ''],
      [`subscription:${SUB}`, false, `cannot list the clusters of subscription ${SUB}: ARM did not list the clusters within the discovery's time budget (CLUSTER_TIMEOUT 2s)`],
    ]);
    expect(report.clusters[1]?.pods).toBe(1);
    expect(run.code).toBe(2);
    await expect.poll(() => estate.arm.open.count, { timeout: 10_000 }).toBe(0);
  });
});
