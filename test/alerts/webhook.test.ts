/**
 * With only SLACK_WEBHOOK_URL: the same lifecycle through the real @slack/webhook client
 * against the webhook emulator, state in Azurite. No threads; channel, username and icon
 * are sent as before; 429 (which the library does not retry) honours Retry-After.
 */
import { describe, expect, it } from 'vitest';
import { startSlackWebhookReceiver, type SlackWebhookReceiver } from '../../emulators/slackWebhook.js';
import { deliverAlerts, type DeliveryOptions, type DeliveryResult } from '../../src/alerts/deliver.js';
import type { ScanReport } from '../../src/model/finding.js';
import { alertLine } from '../../src/notify/slackText.js';
import { WebhookSender } from '../../src/notify/webhookSender.js';
import { caughtUp, cluster, fakeSleep, finding, HOUR, MINUTE, recordingLogger, report, TestClock } from '../support/alertFixtures.js';
import { useAzuriteTables } from '../support/azuriteTables.js';

const tables = useAzuriteTables('webhook');
async function harness() {
  const webhook: SlackWebhookReceiver = await startSlackWebhookReceiver();
  tables.afterTest(() => webhook.close());
  const store = tables.newStore();
  const clock = new TestClock();
  const { sleep, waits } = fakeSleep();
  const logger = recordingLogger();
  const sender = new WebhookSender({ webhookUrl: webhook.url, username: 'acr-aks-sync', iconEmoji: 'warning' });
  const scan = (scanReport: ScanReport, over: Partial<DeliveryOptions> = {}): Promise<DeliveryResult> =>
    deliverAlerts(scanReport, { store, sender, defaultChannel: 'platform-alerts', repeatIntervalMs: 6 * HOUR, notifyResolved: true, logger, now: clock.now, sleep, ...over });
  return { webhook, store, clock, waits, logger, scan };
}

const api = finding({ name: 'api' });
const web = finding({ name: 'web', namespace: 'web', channel: null });

describe('alert lifecycle with an incoming webhook', () => {
  it('posts one grouped message per channel with the old channel, username and icon fields', async () => {
    const h = await harness();
    expect(await h.scan(report(cluster('prod-aks', [api, web, finding({ name: 'api2' })])))).toMatchObject({ new: 3, messages: 2 });
    const byChannel = new Map(h.webhook.messages.map((m) => [m.channel, m]));
    expect([...byChannel.keys()].sort()).toEqual(['#platform-alerts', '#team-a']);
    for (const m of h.webhook.messages) expect(m).toMatchObject({ username: 'acr-aks-sync', icon_emoji: ':warning:' });
    expect(String(byChannel.get('#team-a')?.text)).toContain(alertLine('prod-aks', api));
    expect((byChannel.get('#team-a')?.blocks as unknown[]).length).toBeGreaterThan(2);
    const [stored] = (await h.store.load(['prod-aks'])).alerts;
    expect(stored?.record.thread).toBeNull();
  });

  it('stays silent, then reminds and resolves with top-level messages (webhooks cannot thread)', async () => {
    const h = await harness();
    await h.scan(report(cluster('prod-aks', [api])));
    h.clock.advance(5 * MINUTE);
    await h.scan(report(cluster('prod-aks', [api])));
    expect(h.webhook.messages).toHaveLength(1);
    h.clock.advance(6 * HOUR);
    await h.scan(report(cluster('prod-aks', [api])));
    h.clock.advance(5 * MINUTE);
    await h.scan(report(cluster('prod-aks', [caughtUp(api)])));
    expect(h.webhook.messages.map((m) => [m.channel, String(m.text).split('\n')[0], 'thread_ts' in m])).toEqual([
      ['#team-a', 'Image drift: 1 new', false],
      ['#team-a', 'Image drift: 1 still lagging', false],
      ['#team-a', 'Image drift: 1 resolved', false],
    ]);
  });

  it('honours Retry-After on 429 (which @slack/webhook does not retry) and backs off on 5xx', async () => {
    const h = await harness();
    h.webhook.failNext(2, 429, { 'Retry-After': '3' });
    h.webhook.failNext(1, 500);
    expect(await h.scan(report(cluster('prod-aks', [api])))).toMatchObject({ new: 1, failed: 0 });
    expect(h.waits).toEqual([3000, 3000, 1000]);
    expect(h.webhook.messages).toHaveLength(1);
    expect(h.webhook.requests.map((r) => r.status)).toEqual([429, 429, 500, 200]);
  });

  it('leaves posts unsent for the next scan when the webhook keeps failing, and never logs its URL', async () => {
    const h = await harness();
    h.webhook.failNext(4, 503);
    expect(await h.scan(report(cluster('prod-aks', [api])))).toMatchObject({ sent: 0, failed: 1 });
    h.clock.advance(5 * MINUTE);
    expect(await h.scan(report(cluster('prod-aks', [api])))).toMatchObject({ new: 1 });
    expect(h.webhook.messages).toHaveLength(1);

    const secret = h.webhook.url.split('/').pop() as string;
    const logger = recordingLogger();
    const wrong = new WebhookSender({ webhookUrl: h.webhook.url.replace(secret, 'not-the-secret'), username: 'x', iconEmoji: 'warning' });
    const result = await h.scan(report(cluster('other-aks', [api, web])), { sender: wrong, logger });
    expect(result).toMatchObject({ sent: 0, failed: 2 });
    // invalid_token is fatal: the second channel's message is not even attempted.
    expect(h.webhook.requests.filter((r) => r.status === 403)).toHaveLength(1);
    expect(logger.lines.join('\n')).toContain('invalid_token');
    for (const line of [...logger.lines, ...h.logger.lines]) {
      expect(line).not.toContain(secret);
      expect(line).not.toContain('/services/');
    }
  });

  it('posts a message that got no answer at most twice in a scan (it may have landed)', async () => {
    const h = await harness();
    h.webhook.acceptWithoutAnswer(2);
    const impatient = new WebhookSender({ webhookUrl: h.webhook.url, username: 'acr-aks-sync', iconEmoji: 'warning', timeoutMs: 100 });
    expect(await h.scan(report(cluster('prod-aks', [api])), { sender: impatient, retryPolicy: { retryTimeoutMs: 200 } })).toMatchObject({ sent: 0, failed: 1 });
    expect(h.webhook.messages).toHaveLength(2);
    expect(h.webhook.requests.map((r) => r.status)).toEqual([0, 0]);
  });

  it('falls back to SLACK_CHANNEL when a legacy webhook says the channel is archived', async () => {
    const h = await harness();
    h.webhook.failNext(1, 410);
    expect(await h.scan(report(cluster('prod-aks', [api])))).toMatchObject({ new: 1, fallbacks: 1 });
    expect(h.webhook.messages).toHaveLength(1);
    expect(h.webhook.messages[0]?.channel).toBe('#platform-alerts');
    expect(String(h.webhook.messages[0]?.text)).toContain('cannot post to #team-a: channel_is_archived');
  });
});
