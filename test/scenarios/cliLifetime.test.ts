/**
 * The CLI as a separate process exits soon after printing its report, whatever hangs: the
 * managed-identity endpoint or ARM. Liveness, not timing: the bound is generous, and only an
 * exit that does not come (something left running keeps the process alive) fails the test.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAcrRegistry, type AcrRegistryEmulator } from '../../emulators/acrRegistry.js';
import { startArmEmulator, type ArmEmulator } from '../../emulators/arm.js';
import { makePod, startKubernetesApi, type KubernetesApiHandle } from '../../emulators/kubernetesApi.js';
import { normaliseResource, startManagedIdentityEndpoint, type ManagedIdentityEndpoint } from '../../emulators/managedIdentity.js';
import { ACR_RESOURCE } from '../../emulators/sandbox.js';
import { ensureTestPki } from '../../emulators/testPki.js';
import type { ScanReport } from '../../src/model/finding.js';

const ROOT = join(import.meta.dirname, '..', '..');
const BIN = join(ROOT, 'bin', 'acr-aks-sync.js');
const SUB = '11111111-2222-3333-4444-555555555555';
const resourceId = (name: string) => `/subscriptions/${SUB}/resourceGroups/rg/providers/Microsoft.ContainerService/managedClusters/${name}`;
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

let arm: ArmEmulator;
let kubernetes: KubernetesApiHandle;
let registry: AcrRegistryEmulator;
let identity: ManagedIdentityEndpoint;

beforeAll(async () => {
  const pki = ensureTestPki();
  identity = await startManagedIdentityEndpoint();
  kubernetes = await startKubernetesApi({
    pki,
    namespaces: [{ name: 'apps' }],
    pods: [makePod({ namespace: 'apps', name: 'web-0', containers: [{ name: 'web', image: 'docker.io/library/nginx:1.27' }] })],
    authorize: (auth) => auth.bearerToken !== undefined && identity.validate(auth.bearerToken, '6dae42f8-4368-4678-94ff-3960e28e3630'),
  });
  registry = await startAcrRegistry({ pki, validateEntraToken: (token) => identity.validate(token, ACR_RESOURCE), repositories: {} });
  let armResource = '';
  arm = await startArmEmulator({
    pki,
    validateArmToken: (token) => identity.validate(token, armResource),
    clusters: [
      { subscriptionId: SUB, resourceGroup: 'rg', name: 'healthy-aks', aadEnabled: true, kubeconfig: kubernetes.kubeconfig() },
      { subscriptionId: SUB, resourceGroup: 'rg', name: 'stuck-aks', aadEnabled: true, kubeconfig: kubernetes.kubeconfig(), hang: 'credentials' },
    ],
    hang: ['arm-list'],
  });
  armResource = normaliseResource(arm.endpoint);
});
afterAll(async () => {
  await Promise.all([arm?.close(), kubernetes?.close(), registry?.close(), identity?.close()]);
});

const env = (clusters: string[]) => ({
  ...identity.env,
  ARM_ENDPOINT: arm.endpoint,
  CLUSTERS: clusters.join(','),
  REGISTRIES: registry.loginServer,
  ALLOW_ANY_REGISTRY_HOST: 'true',
  CLUSTER_TIMEOUT: '2s',
});

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
    await expect.poll(() => arm.open.count, { timeout: 10_000 }).toBe(0);
  });
});
