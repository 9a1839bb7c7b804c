/**
 * Two CLI scans at once sharing one `--state` file, as two real processes: each alert is sent
 * exactly once and no record is lost, because a delivery holds the file's lock from reading
 * the state to its last write (the second scan waits, then sees what the first sent).
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makePod } from '../../emulators/kubernetesApi.js';
import { digestOf, startSandbox, type Sandbox } from '../../emulators/sandbox.js';
import { ensureTestPki } from '../../emulators/testPki.js';
import { runProcess } from '../support/runProcess.js';

const ROOT = join(import.meta.dirname, '..', '..');
const BIN = join(ROOT, 'bin', 'acr-aks-sync.js');
const WORKLOADS = 40;

let sandbox: Sandbox;
let dir: string;
beforeAll(async () => {
  sandbox = await startSandbox(ensureTestPki());
  dir = mkdtempSync(join(tmpdir(), 'acr-aks-sync-shared-state-'));
  const prod = sandbox.registry.loginServer;
  // Forty Deployments in one team's namespace, each running the old release: forty alerts.
  sandbox.kubernetes.setPods(
    Array.from({ length: WORKLOADS }, (_, i) =>
      makePod({
        namespace: 'payments',
        name: `svc-${String(i).padStart(2, '0')}-5b7c9d-x${i}`,
        owner: { kind: 'ReplicaSet', name: `svc-${String(i).padStart(2, '0')}-5b7c9d` },
        containers: [{ name: 'worker', image: `${prod}/payments/worker:prod-456`, imageID: `${prod}/payments/worker@${digestOf('worker-456')}` }],
      }),
    ),
  );
});
afterAll(async () => {
  await sandbox?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** One race: two processes started together on a new state file. */
async function race(state: string) {
  const env = { PATH: process.env.PATH, HOME: process.env.HOME, ...sandbox.env };
  const args = [BIN, 'scan', '--kubeconfig', sandbox.kubeconfigPath, '--state', state, '--registries', sandbox.registry.loginServer, '--output', 'json'];
  const before = sandbox.slack.messages.length;
  const [one, two] = await Promise.all([runProcess(process.execPath, args, { env }), runProcess(process.execPath, args, { env })]);
  return { one, two, sent: sandbox.slack.messages.slice(before) };
}

describe('two overlapping `acr-aks-sync scan --state FILE` processes', () => {
  // Without the lock the two deliveries interleave in most races, not all: three races make a
  // miss unlikely, and with the lock every race must pass.
  it.each([1, 2, 3])('send each of 40 alerts exactly once and keep every record (race %i)', async (round) => {
    if (!existsSync(join(ROOT, 'dist', 'src', 'cli', 'main.js'))) throw new Error('dist/ is missing: run `npm run build` (npm test does it) first');
    const state = join(dir, `shared-${round}.json`);
    const { one, two, sent } = await race(state);
    expect([one.code, two.code]).toEqual([1, 1]); // drift found, everything delivered

    // Each item is one section whose workload field names it: count the copies of each.
    const blocks = sent.map((m) => JSON.stringify(m.blocks)).join('\n');
    const copies = Array.from({ length: WORKLOADS }, (_, i) => blocks.match(new RegExp(`Deployment/svc-${String(i).padStart(2, '0')}(?![0-9])`, 'g'))?.length ?? 0);
    expect(copies).toEqual(Array(WORKLOADS).fill(1));
    const text = sent.map((m) => String(m.text)).join('\n');
    const lines = text.split('\n').filter((l) => l.startsWith('Warning: AKS cluster sandbox-aks is running payments/worker:prod-456'));
    expect(lines).toHaveLength(WORKLOADS);

    const saved = JSON.parse(readFileSync(state, 'utf8')) as { alerts: Array<{ record: { workloadName: string; announcedTarget: string | null; claim: unknown } }> };
    expect(saved.alerts.map((a) => a.record.workloadName).sort()).toEqual(Array.from({ length: WORKLOADS }, (_, i) => `svc-${String(i).padStart(2, '0')}`));
    expect(saved.alerts.every((a) => a.record.announcedTarget === 'prod-789' && a.record.claim === null)).toBe(true);
    expect(`${one.stderr}\n${two.stderr}`).toMatch(/Slack notifications sent=0 new=0/);
  });
});
