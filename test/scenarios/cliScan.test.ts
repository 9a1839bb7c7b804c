/**
 * The CLI as a user runs it: `acr-aks-sync scan --kubeconfig K --output json`, a separate
 * process that reaches the emulators only through the kubeconfig, the image references,
 * IDENTITY_ENDPOINT/IDENTITY_HEADER and NODE_EXTRA_CA_CERTS.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSandbox, type Sandbox } from '../../emulators/sandbox.js';
import { ensureTestPki } from '../../emulators/testPki.js';
import type { Finding, ScanReport } from '../../src/model/finding.js';
import { runProcess, type ProcessResult } from '../support/runProcess.js';

const BIN = join(import.meta.dirname, '..', '..', 'bin', 'acr-aks-sync.js');

type CliRun = ProcessResult;

const ROOT = join(import.meta.dirname, '..', '..');

/** Runs the CLI; `viaNpx` runs it exactly as the README says, `npx acr-aks-sync ...`. */
function runCli(args: string[], env: Record<string, string | undefined>, viaNpx = false): Promise<CliRun> {
  if (!existsSync(join(ROOT, 'dist', 'src', 'cli', 'main.js'))) {
    throw new Error('dist/ is missing: run `npm run build` (npm test does it) before this test');
  }
  // Only PATH and HOME from the outer environment: the CLI must get everything else from `env`.
  const childEnv = { PATH: process.env.PATH, HOME: process.env.HOME, ...env };
  return viaNpx
    ? runProcess('npx', ['--no-install', 'acr-aks-sync', ...args], { env: childEnv, cwd: ROOT })
    : runProcess(process.execPath, [BIN, ...args], { env: childEnv });
}

let sandbox: Sandbox;
beforeAll(async () => {
  sandbox = await startSandbox(ensureTestPki());
});
afterAll(async () => {
  await sandbox?.close();
});

function find(report: ScanReport, namespace: string, workload: string, container?: string): Finding {
  const found = report.clusters[0]?.findings.find((f) => f.namespace === namespace && f.workload.name === workload && (!container || f.container === container));
  if (!found) throw new Error(`no finding for ${namespace}/${workload}`);
  return found;
}

describe('npx acr-aks-sync scan --kubeconfig K --output json (CLI against the emulators)', () => {
  let run: CliRun;
  let report: ScanReport;
  let slackBefore: number;

  beforeAll(async () => {
    slackBefore = sandbox.slack.messages.length;
    run = await runCli(['scan', '--kubeconfig', sandbox.kubeconfigPath, '--output', 'json'], sandbox.env, true);
    report = JSON.parse(run.stdout) as ScanReport;
  });

  it('names the cluster after the kubeconfig context and counts only running pods outside excluded namespaces', () => {
    expect(report.clusters).toHaveLength(1);
    expect(report.clusters[0]).toMatchObject({ name: 'sandbox-aks', ok: true, pods: 57 });
    expect(report.clusters[0]?.findings.some((f) => f.namespace === 'kube-system')).toBe(false);
  });

  it('reports every status with the reason and the newest tag', () => {
    expect(find(report, 'payments', 'payments-api', 'api')).toMatchObject({ status: 'in-sync', latestTag: 'prod-789', workload: { kind: 'Deployment' }, pods: 3 });
    expect(find(report, 'payments', 'payments-api', 'migrate')).toMatchObject({ status: 'in-sync', deployedTag: 'prod-789' });
    expect(find(report, 'payments', 'payments-worker')).toMatchObject({
      status: 'drift',
      deployedTag: 'prod-456',
      latestTag: 'prod-789',
      registry: sandbox.registry.loginServer,
      repository: 'payments/worker',
      channel: 'payments-alerts',
      pods: 40,
      workload: { kind: 'Deployment', name: 'payments-worker' },
    });
    expect(find(report, 'payments', 'payments-report')).toMatchObject({ status: 'in-sync', workload: { kind: 'CronJob' } });
    expect(find(report, 'search', 'search-indexer')).toMatchObject({ status: 'pending', latestTag: 'prod-101', workload: { kind: 'StatefulSet' }, pods: 2 });
    expect(find(report, 'search', 'search-query')).toMatchObject({ status: 'in-sync', deployedTag: 'prod-41', latestTag: 'prod-42' });
    expect(find(report, 'search', 'log-shipper')).toMatchObject({ status: 'untracked', registry: 'docker.io', workload: { kind: 'DaemonSet' } });
    expect(find(report, 'web', 'web-frontend')).toMatchObject({ status: 'stale-digest', deployedTag: 'prod-7', latestTag: 'prod-7', channel: 'platform-alerts' });
    expect(find(report, 'web', 'web-cache')).toMatchObject({ status: 'drift', deployedTag: null, latestTag: 'prod-3' });
    expect(find(report, 'web', 'web-nginx')).toMatchObject({ status: 'untracked', repository: 'library/nginx', deployedTag: '1.27' });
    expect(find(report, 'web', 'debug-shell')).toMatchObject({ status: 'untracked', workload: { kind: 'Pod' } });
    expect(find(report, 'web', 'debug-shell').reason).toContain('TAG_PATTERN');
    expect(find(report, 'web', 'web-legacy')).toMatchObject({ status: 'no-release' });
    expect(find(report, 'web', 'web-legacy').reason).toMatch(/not found/);
    expect(find(report, 'web', 'web-metrics')).toMatchObject({ status: 'error' });
    expect(find(report, 'web', 'web-metrics').reason).toMatch(/401/);
    expect(report.summary).toMatchObject({ 'in-sync': 5, pending: 1, drift: 3, 'stale-digest': 1, 'no-release': 1, untracked: 4, error: 2, clusters: 1, clustersFailed: 0 });
  });

  it('decides the workloads with settings of their own by them, and says where each setting came from', () => {
    expect(find(report, 'staging', 'storefront')).toMatchObject({
      status: 'drift',
      deployedTag: 'staging-41',
      latestTag: 'staging-42',
      channel: 'staging-alerts',
      settings: {
        channel: { value: 'staging-alerts', from: 'namespace annotation acr-aks-sync.io/slack-channel on namespace staging' },
        tagPattern: { value: 'staging-*', from: 'namespace annotation acr-aks-sync.io/tag-pattern on namespace staging' },
        gracePeriod: { value: '10m', ms: 600_000, from: 'namespace annotation acr-aks-sync.io/grace-period on namespace staging' },
        track: { value: true, from: 'default' },
      },
    });
    expect(find(report, 'payments', 'payments-batch')).toMatchObject({ status: 'untracked', reason: 'not watched: pod annotation acr-aks-sync.io/track on Deployment/payments-batch is "false"' });
    expect(find(report, 'search', 'search-indexer', 'tokenizer')).toMatchObject({
      status: 'in-sync',
      latestTag: 'nightly-21',
      settings: { tagPattern: { value: 'nightly-*', from: 'pod annotation tag-pattern.acr-aks-sync.io/tokenizer on StatefulSet/search-indexer' } },
    });
    expect(find(report, 'search', 'search-indexer', 'indexer')).toMatchObject({ status: 'pending', settings: { tagPattern: { value: 'prod-*', from: 'default' } } });
    expect(find(report, 'web', 'web-search')).toMatchObject({ status: 'error' });
    expect(find(report, 'web', 'web-search').reason).toMatch(/^bad setting: pod annotation acr-aks-sync\.io\/grace-period on Deployment\/web-search: duration "10 minutes" .*\(e\.g\. acr-aks-sync\.io\/grace-period: "10m"\)$/);
    expect(find(report, 'payments', 'payments-worker').settings?.channel).toEqual({ value: 'payments-alerts', from: 'namespace label slackChannel on namespace payments' });
    expect(find(report, 'web', 'web-cache').settings?.channel).toEqual({ value: 'platform-alerts', from: 'SLACK_CHANNEL' });
  });

  it('exits 2 because one registry could not be read', () => {
    expect(run.code).toBe(2);
  });

  it('looks every repository up once', () => {
    const pages = sandbox.registry.requests.filter((r) => r.kind === 'tags-page' && r.status === 200).map((r) => decodeURIComponent(r.path));
    expect(pages.length).toBeGreaterThan(0);
    expect(new Set(pages).size).toBe(pages.length);
  });

  it('alerts Slack in the old wording, to the team channel or the default channel', () => {
    const messages = sandbox.slack.messages.slice(slackBefore);
    const worker = find(report, 'payments', 'payments-worker');
    const toChannel = (channel: string) => messages.filter((m) => m.channel === channel).map((m) => String(m.text)).join('\n');
    expect(toChannel('#payments-alerts')).toContain(
      `Warning: AKS cluster sandbox-aks is running payments/worker:prod-456 instead of payments/worker:prod-789 (${worker.latestUpdatedAt}).`,
    );
    expect(toChannel('#platform-alerts')).toContain('web/cache');
    expect(toChannel('#platform-alerts')).toContain('web/frontend:prod-7');
    expect(toChannel('#search-team')).toBe('');
    expect(toChannel('#staging-alerts')).toContain('Warning: AKS cluster sandbox-aks is running web/storefront:staging-41 instead of web/storefront:staging-42');
    expect(toChannel('#payments-alerts')).not.toContain('payments-batch');
    expect(messages.every((m) => m.username === 'acr-aks-sync' && m.icon_emoji === ':warning:')).toBe(true);
  });

  it('never prints the webhook URL or the cluster token', () => {
    for (const secret of [sandbox.env.SLACK_WEBHOOK_URL as string, sandbox.kubernetes.token]) {
      expect(run.stdout).not.toContain(secret);
      expect(run.stderr).not.toContain(secret);
    }
  });

  it('exits 1 on drift when everything could be scanned, and --dry-run sends nothing', async () => {
    const before = sandbox.slack.messages.length;
    // web holds the bad annotation (an error): left out, so that everything scanned could be decided.
    const dry = await runCli(['scan', '--kubeconfig', sandbox.kubeconfigPath, '--dry-run', '--registries', sandbox.registry.loginServer, '--excluded-namespaces', 'kube-system,web'], sandbox.env);
    expect(dry.code).toBe(1);
    expect(dry.stdout).toMatch(/payments-worker\s+worker\s+drift/);
    // The table shows a pattern that is not TAG_PATTERN's.
    expect(dry.stdout).toMatch(/^CLUSTER\s+NAMESPACE\s+WORKLOAD\s+CONTAINER\s+STATUS\s+RUNNING\s+NEWEST\s+PATTERN\s+DETAIL$/m);
    expect(dry.stdout).toMatch(/Deployment\/storefront\s+storefront\s+drift\s+web\/storefront:staging-41\s+staging-42\s+staging-\*\s+newest staging-42/);
    expect(sandbox.slack.messages.length).toBe(before);
  });

  it('exits 0 when nothing drifts', async () => {
    const clean = await runCli(['scan', '--kubeconfig', sandbox.kubeconfigPath, '--dry-run', '--registries', sandbox.registry.loginServer, '--excluded-namespaces', 'kube-system,web,payments,staging'], sandbox.env);
    expect(clean.code).toBe(0);
  });

  it('writes debug lines to stderr only with ACR_SYNC_DEBUG=true, as the old script did', async () => {
    const args = ['scan', '--kubeconfig', sandbox.kubeconfigPath, '--dry-run', '--registries', sandbox.registry.loginServer];
    const quiet = await runCli(args, sandbox.env);
    const verbose = await runCli(args, { ...sandbox.env, ACR_SYNC_DEBUG: 'true' });
    expect(quiet.stderr).not.toMatch(/^debug /m);
    expect(verbose.stderr).toMatch(/^debug newest matching tag .*repository=payments\/worker tag=prod-789/m);
    expect(verbose.stderr).toMatch(/^debug pods page read/m);
  });

  it('exits 2 with a message naming the variable on bad configuration', async () => {
    const bad = await runCli(['scan', '--kubeconfig', sandbox.kubeconfigPath], { ...sandbox.env, REGISTRIES: '', GRACE_PERIOD: 'soon' });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('REGISTRIES');
    expect(bad.stderr).toContain('GRACE_PERIOD');
    expect(bad.stdout).toBe('');
  });
});
