import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { emptyDeliveryResult } from '../../src/alerts/deliveryResult.js';
import { exitCodeFor, main } from '../../src/cli/main.js';
import { finding, report } from '../support/sampleReport.js';

describe('CLI report', () => {
  it.each([
    [[finding({ status: 'in-sync' }), finding({ status: 'pending' }), finding({ status: 'untracked' }), finding({ status: 'no-release' })], false, 0],
    [[finding({ status: 'drift' })], false, 1],
    [[finding({ status: 'stale-digest' })], false, 1],
    [[finding({ status: 'drift' }), finding({ status: 'error' })], false, 2],
    [[finding({ status: 'in-sync' })], true, 2],
  ] as const)('exit code for %j (failed cluster: %s) is %d', (findings, failed, code) => {
    expect(exitCodeFor(report([...findings], failed))).toBe(code);
  });

  it('exits 2 when alerts could not be delivered, whatever the findings', () => {
    const delivered = { ...emptyDeliveryResult(), sent: 1, new: 1 };
    expect(exitCodeFor(report([finding({ status: 'drift' })]), delivered)).toBe(1);
    expect(exitCodeFor(report([finding({ status: 'drift' })]), { ...delivered, failed: 1, failures: [{ stage: 'post', reason: 'http_503', items: 1 }] })).toBe(2);
    expect(exitCodeFor(report([finding({ status: 'in-sync' })]), { ...delivered, stateErrors: 1 })).toBe(2);
    expect(exitCodeFor(report([finding({ status: 'in-sync' })]), { ...emptyDeliveryResult(), error: 'alert state could not be read' })).toBe(2);
  });
});


/** Runs main with captured output; nothing here reaches a cluster or the network. */
async function run(argv: string[], env: Record<string, string> = { REGISTRIES: 'myacr.azurecr.io' }): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const code = await main(argv, env, { stdout: { write: (t: string) => (stdout += t) }, stderr: { write: (t: string) => (stderr += t) } });
  return { code, stdout, stderr };
}

describe('CLI arguments', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'acr-aks-sync-cli-args-'));
    writeFileSync(
      join(dir, 'kubeconfig.yaml'),
      [
        'apiVersion: v1',
        'kind: Config',
        'clusters: [{ name: c, cluster: { server: "https://127.0.0.1:1" } }]',
        'users: [{ name: u, user: { token: t } }]',
        'contexts: [{ name: ctx-a, context: { cluster: c, user: u } }]',
        'current-context: ctx-a',
        '',
      ].join('\n'),
    );
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('prints the usage on --help and exits 0', async () => {
    const result = await run(['--help']);
    expect(result).toMatchObject({ code: 0, stderr: '' });
    expect(result.stdout).toMatch(/^Usage: acr-aks-sync scan \[options\]\n/);
  });

  it.each([
    [['check'], 'acr-aks-sync: expected the command "scan", got "check"\n\nUsage: acr-aks-sync scan'],
    [[], 'acr-aks-sync: expected the command "scan"\n\nUsage: acr-aks-sync scan'],
    [['scan', '--colour'], "acr-aks-sync: Unknown option '--colour'"],
    [['scan', '--output', 'xml'], 'acr-aks-sync: --output must be "table", "json" or "html", got "xml"\n'],
    [['scan', '--state', ' '], 'acr-aks-sync: --state needs a file path\n'],
  ])('exits 2 on %j, saying what is wrong', async (argv, message) => {
    const result = await run(argv);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr.startsWith(message)).toBe(true);
  });

  it('exits 2 naming the variable when the configuration is bad, and needs CLUSTERS without --kubeconfig', async () => {
    const bad = await run(['scan', '--kubeconfig', join(dir, 'kubeconfig.yaml'), '--grace-period', 'soon']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/^acr-aks-sync: configuration error\n.*GRACE_PERIOD/);
    const noClusters = await run(['scan']);
    expect(noClusters.code).toBe(2);
    expect(noClusters.stderr).toMatch(/^acr-aks-sync: configuration error\n.*CLUSTERS/);
  });

  it('exits 2 naming the kubeconfig when it cannot be read or has no such context', async () => {
    const missing = join(dir, 'missing.yaml');
    expect(await run(['scan', '--kubeconfig', missing])).toMatchObject({ code: 2, stdout: '', stderr: expect.stringMatching(new RegExp(`^acr-aks-sync: cannot read kubeconfig ${missing}: `)) });
    const path = join(dir, 'kubeconfig.yaml');
    expect(await run(['scan', '--kubeconfig', path, '--context', 'nope'])).toEqual({ code: 2, stdout: '', stderr: `acr-aks-sync: kubeconfig ${path} has no context "nope" (contexts: ctx-a)\n` });
  });
});
