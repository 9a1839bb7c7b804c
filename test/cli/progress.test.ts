/**
 * The CLI's progress line. On its own: drawn in place, at most every 100 ms unless something
 * counts (a cluster done), cut to the terminal's width, moved out of the way of log lines and
 * erased for good before the report. Through `main` against the sandbox: shown on a terminal
 * while the scan runs and erased before the table; absent when stderr is not a terminal and with
 * --output json or html.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSandbox, type Sandbox } from '../../emulators/sandbox.js';
import { ensureTestPki } from '../../emulators/testPki.js';
import { main } from '../../src/cli/main.js';
import { ProgressLine } from '../../src/cli/progress.js';

const ERASE = '\r\x1b[2K';

describe('ProgressLine', () => {
  function line(columns?: number) {
    const writes: string[] = [];
    let now = 0;
    const progress = new ProgressLine({ write: (t: string) => writes.push(t), ...(columns ? { columns } : {}) }, () => now);
    return { writes, progress, advance: (ms: number) => (now += ms) };
  }

  it('draws the counts in place, redrawing at most every 100 ms unless a cluster is done', () => {
    const { writes, progress, advance } = line();
    progress.runStarted(2);
    expect(writes).toEqual([`${ERASE}scanning: clusters 0/2, pods listed 0, registry lookups 0, throttled waits 0`]);
    progress.podsListed('a', 500);
    progress.registryLookupDone();
    expect(writes).toHaveLength(1);
    advance(100);
    progress.registryThrottled();
    expect(writes.at(-1)).toBe(`${ERASE}scanning: clusters 0/2, pods listed 500, registry lookups 1, throttled waits 1`);
    progress.podsListed('a', 800);
    progress.podsListed('b', 20);
    progress.clusterScanned({ name: 'a', ok: false, error: 'x', findings: [], pods: 0, durationMs: 1 });
    expect(writes.at(-1)).toBe(`${ERASE}scanning: clusters 1/2 (1 failed), pods listed 820, registry lookups 1, throttled waits 1`);
  });

  it('writes a log line on a line of its own, then the progress again; after finish, only erases', () => {
    const { writes, progress } = line();
    progress.runStarted(1);
    progress.log('warn  registry lookup failed\n');
    expect(writes.slice(1)).toEqual([ERASE, 'warn  registry lookup failed\n', `${ERASE}scanning: clusters 0/1, pods listed 0, registry lookups 0, throttled waits 0`]);
    progress.finish();
    expect(writes.at(-1)).toBe(ERASE);
    const count = writes.length;
    progress.clusterScanned({ name: 'a', ok: true, findings: [], pods: 0, durationMs: 1 });
    progress.log('info  done\n');
    expect(writes.slice(count)).toEqual(['info  done\n']);
  });

  it('cuts the line to the terminal, which cannot erase a wrapped line in place', () => {
    const { writes, progress } = line(30);
    progress.runStarted(3);
    expect(writes[0]).toBe(`${ERASE}scanning: clusters 0/3, pods `);
  });
});

describe('acr-aks-sync scan with a progress line', () => {
  let sandbox: Sandbox;
  const savedEnv = { ...process.env };
  beforeAll(async () => {
    sandbox = await startSandbox(ensureTestPki());
    Object.assign(process.env, sandbox.env); // the managed identity endpoint, for DefaultAzureCredential
  });
  afterAll(async () => {
    process.env = savedEnv;
    await sandbox?.close();
  });

  /** Runs main with stdout and stderr recorded in the order they were written. */
  async function run(argv: string[], stderrIsTTY: boolean): Promise<{ code: number; writes: Array<['out' | 'err', string]> }> {
    const writes: Array<['out' | 'err', string]> = [];
    const io = { stdout: { write: (t: string) => writes.push(['out', t]) }, stderr: { write: (t: string) => writes.push(['err', t]), isTTY: stderrIsTTY, columns: 200 } };
    const code = await main(['scan', '--kubeconfig', sandbox.kubeconfigPath, '--dry-run', ...argv], sandbox.env, io);
    return { code, writes };
  }

  it('shows the scan\'s progress on a terminal and erases it before the report', async () => {
    const { code, writes } = await run([], true);
    expect(code).toBe(2);
    const progress = writes.filter(([s, t]) => s === 'err' && t.startsWith(ERASE) && t.length > ERASE.length).map(([, t]) => t.slice(ERASE.length));
    expect(progress[0]).toBe('scanning: clusters 0/1, pods listed 0, registry lookups 0, throttled waits 0');
    // The sandbox's 57 pods; 12 lookups: one per repository and tag pattern (staging-* and nightly-* are patterns of their own).
    expect(progress.at(-1)).toBe('scanning: clusters 1/1, pods listed 57, registry lookups 12, throttled waits 0');
    const report = writes.findIndex(([s]) => s === 'out');
    expect(writes[report - 1]).toEqual(['err', ERASE]);
    expect(writes.slice(report).some(([s, t]) => s === 'err' && t.startsWith(ERASE))).toBe(false);
    expect(writes[report]?.[1]).toMatch(/^CLUSTER\s+NAMESPACE/);
  });

  it.each([
    ['stderr is not a terminal', [], false],
    ['--output json', ['--output', 'json'], true],
    ['--output html', ['--output', 'html'], true],
  ] as const)('shows no progress when %s', async (_, argv, tty) => {
    const { writes } = await run([...argv], tty);
    expect(writes.filter(([s, t]) => s === 'err' && t.includes('\r'))).toEqual([]);
  });
});
