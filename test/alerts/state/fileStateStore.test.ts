/**
 * The CLI's state: `--state file.json` keeps alert state in a JSON file with the same
 * conditional semantics as the table; without it a scan remembers nothing. The last test runs
 * the CLI's `main` against the sandbox estate (Kubernetes, ACR, identity and webhook emulators).
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startSandbox, type Sandbox } from '../../../emulators/sandbox.js';
import { startSlackWebhookReceiver } from '../../../emulators/slackWebhook.js';
import { ensureTestPki } from '../../../emulators/testPki.js';
import { deliverAlerts } from '../../../src/alerts/deliver.js';
import { FileStateStore } from '../../../src/alerts/state/fileStateStore.js';
import { main } from '../../../src/cli/main.js';
import { WebhookSender } from '../../../src/notify/webhookSender.js';
import { alertRecord, caughtUp, cluster, fakeSleep, finding, HOUR, MINUTE, recordingLogger, report, T0, TestClock } from '../../support/alertFixtures.js';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'acr-aks-sync-state-'));
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});
const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()?.();
});

const api = finding({ name: 'api' });
const record = alertRecord('prod-aks', api);

describe('FileStateStore', () => {
  it('keeps records across instances with conditional writes', async () => {
    const path = join(dir, 'nested', 'conditional.json');
    const store = new FileStateStore({ path });
    expect((await store.load(['prod-aks'])).alerts).toEqual([]);
    const etag = await store.insert(record);
    expect(etag).not.toBeNull();
    expect(await store.insert(record)).toBeNull();

    const again = new FileStateStore({ path });
    const [loaded] = (await again.load(['prod-aks'])).alerts;
    expect(loaded).toEqual({ record, etag });
    expect((await again.load(['other-aks'])).alerts).toEqual([]);
    const next = await again.replace({ ...record, lastSentAt: T0.toISOString() }, etag as string);
    expect(next).not.toBeNull();
    expect(await store.replace(record, etag as string)).toBeNull();
    expect(await store.remove(record, etag as string)).toBe(false);
    expect(await store.remove(record, next as string)).toBe(true);
    expect(JSON.parse(readFileSync(path, 'utf8'))).toEqual({ version: 1, alerts: [] });
  });

  it('refuses a file that is not its own, rather than overwriting it', async () => {
    const path = join(dir, 'foreign.json');
    writeFileSync(path, '{"hello": "world"}');
    await expect(new FileStateStore({ path }).load(['prod-aks'])).rejects.toThrow(/not an acr-aks-sync state file/);
    writeFileSync(path, 'not json');
    await expect(new FileStateStore({ path }).insert(record)).rejects.toThrow(/not valid JSON/);
    expect(readFileSync(path, 'utf8')).toBe('not json');
  });

  it('lets one delivery at a time hold the file: another waits a bounded time, then refuses naming the file and sends nothing', async () => {
    const webhook = await startSlackWebhookReceiver();
    cleanups.push(() => webhook.close());
    const path = join(dir, 'locked.json');
    let release: () => void = () => {};
    const held = new Promise<void>((resolve) => (release = resolve));
    let holding: () => void = () => {};
    const acquired = new Promise<void>((resolve) => (holding = resolve));
    const holder = new FileStateStore({ path }).exclusive(async () => {
      holding();
      await held;
    });
    await acquired;
    const logger = recordingLogger();
    const result = await deliverAlerts(report(cluster('prod-aks', [api])), {
      store: new FileStateStore({ path, lockWaitMs: 600 }),
      sender: new WebhookSender({ webhookUrl: webhook.url, username: 'acr-aks-sync', iconEmoji: 'warning' }),
      defaultChannel: 'platform-alerts',
      repeatIntervalMs: 6 * HOUR,
      notifyResolved: true,
      logger,
      sleep: fakeSleep().sleep,
    });
    expect(result.error).toBe(
      `alert state could not be locked (file ${path}), nothing was sent: alert state file ${path} is in use by another acr-aks-sync scan (lock ${path}.lock); waited 600ms. ` +
        'Run one scan at a time per --state file; a lock left by a scan that died is taken over after 30s.',
    );
    expect(webhook.messages).toEqual([]);
    expect(logger.lines.some((l) => l.startsWith('error alert state could not be locked'))).toBe(true);
    release();
    await holder;
    // Free again: the next scan gets it at once.
    expect(await new FileStateStore({ path, lockWaitMs: 0 }).exclusive(async () => 'ran')).toBe('ran');
  });

  it('takes over a lock whose holder died once it is stale', async () => {
    const path = join(dir, 'stale.json');
    mkdirSync(`${path}.lock`);
    const old = new Date(Date.now() - 60_000);
    utimesSync(`${path}.lock`, old, old);
    expect(await new FileStateStore({ path, lockWaitMs: 0, staleMs: 5_000 }).exclusive(async () => 'ran')).toBe('ran');
    expect(existsSync(`${path}.lock`)).toBe(false);
  });

  it('gives the CLI the whole lifecycle across runs: new, silence, reminder, resolved', async () => {
    const webhook = await startSlackWebhookReceiver();
    cleanups.push(() => webhook.close());
    const path = join(dir, 'lifecycle.json');
    const clock = new TestClock();
    const run = (findings = [api]) =>
      deliverAlerts(report(cluster('prod-aks', findings)), {
        store: new FileStateStore({ path }),
        sender: new WebhookSender({ webhookUrl: webhook.url, username: 'acr-aks-sync', iconEmoji: 'warning' }),
        defaultChannel: 'platform-alerts',
        repeatIntervalMs: 6 * HOUR,
        notifyResolved: true,
        logger: recordingLogger(),
        now: clock.now,
        sleep: fakeSleep().sleep,
      });
    expect(await run()).toMatchObject({ new: 1 });
    clock.advance(10 * MINUTE);
    expect(await run()).toMatchObject({ sent: 0, unchanged: 1 });
    clock.advance(6 * HOUR);
    expect(await run()).toMatchObject({ reminders: 1 });
    clock.advance(10 * MINUTE);
    expect(await run([caughtUp(api)])).toMatchObject({ resolved: 1 });
    expect(webhook.messages.map((m) => String(m.text).split('\n')[0])).toEqual(['Image drift: 1 new', 'Image drift: 1 still lagging', 'Image drift: 1 resolved']);
  });
});

describe('acr-aks-sync scan --state FILE (CLI main against the sandbox)', () => {
  let sandbox: Sandbox;
  const saved: Record<string, string | undefined> = {};
  beforeAll(async () => {
    sandbox = await startSandbox(ensureTestPki());
    // DefaultAzureCredential reads the identity endpoint from the process environment.
    for (const [k, v] of Object.entries(sandbox.identity.env)) {
      saved[k] = process.env[k];
      process.env[k] = v;
    }
  });
  afterAll(async () => {
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
    await sandbox?.close();
  });

  const cli = async (args: string[]) => {
    let stdout = '';
    let stderr = '';
    const code = await main(['scan', '--kubeconfig', sandbox.kubeconfigPath, '--output', 'json', ...args], sandbox.env, {
      stdout: { write: (t: string) => (stdout += t) },
      stderr: { write: (t: string) => (stderr += t) },
    });
    return { code, stdout, stderr };
  };

  it('sends one grouped message per channel, then nothing on the second run; without --state it remembers nothing', async () => {
    const state = join(dir, 'cli-state.json');
    const before = sandbox.slack.messages.length;
    const first = await cli(['--state', state]);
    expect(first.code).toBe(2); // the sandbox has a registry the identity may not read
    const sent = sandbox.slack.messages.slice(before);
    const channels = sent.map((m) => m.channel);
    expect(new Set(channels).size).toBe(channels.length);
    expect(channels.sort()).toEqual(['#payments-alerts', '#platform-alerts', '#staging-alerts']);
    expect(sent.every((m) => Array.isArray(m.blocks) && String(m.text).startsWith('Image drift: '))).toBe(true);
    expect(existsSync(state)).toBe(true);
    const saved = readFileSync(state, 'utf8');
    expect(JSON.parse(saved).alerts.length).toBe(4);

    const second = await cli(['--state', state]);
    expect(second.stderr).toMatch(/Slack notifications sent=0 new=0 reminders=0 resolved=0 failed=0/);
    expect(sandbox.slack.messages.length).toBe(before + 3);

    const dry = await cli(['--state', state, '--dry-run']);
    expect(dry.code).toBe(2);
    expect(sandbox.slack.messages.length).toBe(before + 3);

    await cli([]);
    expect(sandbox.slack.messages.length).toBe(before + 6);
    for (const out of [first.stderr, second.stderr, saved]) expect(out).not.toContain(sandbox.env.SLACK_WEBHOOK_URL);
  });

  it('exits 2 when alerts could not be delivered, saying so, and delivers them on the next run', async () => {
    const state = join(dir, 'cli-undelivered.json');
    // Only the registry the identity may read, without the namespace of the sandbox's bad annotation: the scan alone would exit 1 (drift).
    const args = ['--state', state, '--registries', sandbox.registry.loginServer, '--excluded-namespaces', 'kube-system,web'];
    sandbox.slack.failNext(1, 403); // invalid_token: no post gets through
    const failed = await cli(args);
    expect(failed.code).toBe(2);
    expect(failed.stderr).toMatch(/acr-aks-sync: alerts could not all be delivered \(the next scan retries\): 2 alert item\(s\) not delivered, 0 alert state write\(s\) failed: post invalid_token \(2\)/);
    expect(failed.stderr).toMatch(/^error Slack post failed; the next scan retries/m);
    const retried = await cli(args);
    expect(retried.code).toBe(1);
    expect(retried.stderr).toMatch(/Slack notifications sent=2 new=2/);
    expect(retried.stderr).not.toContain('could not all be delivered');
  });

  it('rejects an empty --state path', async () => {
    const result = await cli(['--state', ' ']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('--state needs a file path');
  });
});
