/**
 * The two Slack senders as one family, each through its real client against its emulator:
 * the same answers become the same SlackPostErrors, and createSlackSender picks the member
 * the settings ask for.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { startSlackApi, type SlackApiEmulator } from '../../emulators/slackApi.js';
import { startSlackWebhookReceiver, type SlackWebhookReceiver } from '../../emulators/slackWebhook.js';
import { createSlackSender } from '../../src/notify/createSlackSender.js';
import { SlackPostError, type SlackSender } from '../../src/notify/slackSender.js';
import { WebApiSender } from '../../src/notify/webApiSender.js';
import { WebhookSender } from '../../src/notify/webhookSender.js';
import { recordingLogger } from '../support/alertFixtures.js';

const BOT_TOKEN = 'xoxb-test-token';
const appearance = { username: 'acr-aks-sync', iconEmoji: 'warning' };
const closers: Array<() => Promise<void>> = [];
afterEach(async () => {
  await Promise.all(closers.splice(0).map((close) => close()));
});

interface Member {
  sender: SlackSender;
  rateLimitNext(retryAfterSeconds: number): void;
  failNext(status: number): void;
}

async function bot(token = BOT_TOKEN): Promise<Member & { slack: SlackApiEmulator }> {
  const slack = await startSlackApi({ botToken: BOT_TOKEN, channels: [{ name: 'team-a' }, { name: 'old-team', archived: true }] });
  closers.push(() => slack.close());
  return {
    slack,
    sender: new WebApiSender({ botToken: token, apiUrl: slack.apiUrl, logger: recordingLogger() }),
    rateLimitNext: (seconds) => slack.rateLimitNext(1, seconds),
    failNext: (status) => slack.failNext(1, status),
  };
}

async function webhook(url = (w: SlackWebhookReceiver) => w.url): Promise<Member & { hook: SlackWebhookReceiver }> {
  const hook = await startSlackWebhookReceiver();
  closers.push(() => hook.close());
  return {
    hook,
    sender: new WebhookSender({ webhookUrl: url(hook), ...appearance }),
    rateLimitNext: (seconds) => hook.failNext(1, 429, { 'Retry-After': String(seconds) }),
    failNext: (status) => hook.failNext(1, status),
  };
}

async function failure(sender: SlackSender, channel = 'team-a') {
  const error = await sender.post({ channel, text: 'hello' }).then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(SlackPostError);
  const { kind, code, retryAfterMs, mayHaveLanded } = error as SlackPostError;
  return { kind, code, retryAfterMs, mayHaveLanded };
}

describe.each([
  ['bot', () => bot()],
  ['webhook', () => webhook()],
] as const)('the %s sender', (_name, start) => {
  it('reports a rate-limited post as `ratelimited`, with the wait Retry-After asked for', async () => {
    const member = await start();
    member.rateLimitNext(3);
    expect(await failure(member.sender)).toEqual({ kind: 'retryable', code: 'ratelimited', retryAfterMs: 3_000, mayHaveLanded: false });
  });

  it('reports a 5xx answer as retryable without a wait of its own', async () => {
    const member = await start();
    member.failNext(503);
    expect(await failure(member.sender)).toEqual({ kind: 'retryable', code: 'http_503', retryAfterMs: undefined, mayHaveLanded: false });
  });
});

describe('each sender reads its own answers into the same kinds', () => {
  it('channel problems are channel-unavailable', async () => {
    const b = await bot();
    expect(await failure(b.sender, 'old-team')).toMatchObject({ kind: 'channel-unavailable', code: 'is_archived' });
    expect(await failure(b.sender, 'nowhere')).toMatchObject({ kind: 'channel-unavailable', code: 'channel_not_found' });
    const w = await webhook();
    w.failNext(410);
    expect(await failure(w.sender)).toMatchObject({ kind: 'channel-unavailable', code: 'channel_is_archived' });
  });

  it('bad credentials are fatal, and the webhook URL is in no error', async () => {
    expect(await failure((await bot('xoxb-wrong')).sender)).toMatchObject({ kind: 'fatal', code: 'invalid_auth' });
    const w = await webhook((hook) => hook.url.replace(/[^/]+$/, 'not-the-secret'));
    const error = await w.sender.post({ channel: 'team-a', text: 'hello' }).catch((caught: unknown) => caught);
    expect(error).toMatchObject({ kind: 'fatal', code: 'invalid_token' });
    expect(String((error as Error).message)).not.toContain('/services/');
  });

  it('a post that reached no server was never sent', async () => {
    const b = await bot();
    const w = await webhook();
    const deadApi = b.slack.apiUrl;
    const deadHook = w.hook.url;
    await Promise.all(closers.splice(0).map((close) => close()));
    const logger = recordingLogger();
    for (const sender of [new WebApiSender({ botToken: BOT_TOKEN, apiUrl: deadApi, logger }), new WebhookSender({ webhookUrl: deadHook, ...appearance })]) {
      expect(await failure(sender)).toEqual({ kind: 'retryable', code: 'connection_failed_econnrefused', retryAfterMs: undefined, mayHaveLanded: false });
    }
  });
});

describe('createSlackSender', () => {
  const logger = recordingLogger();

  it('builds the bot when SLACK_BOT_TOKEN is set (even beside a webhook), else the webhook, else none', () => {
    expect(createSlackSender({ botToken: BOT_TOKEN, webhookUrl: 'https://hooks.slack.com/services/T/B/x', ...appearance, logger })).toMatchObject({ kind: 'bot', threads: true });
    expect(createSlackSender({ webhookUrl: 'https://hooks.slack.com/services/T/B/x', ...appearance, logger })).toMatchObject({ kind: 'webhook', threads: false });
    expect(createSlackSender({ ...appearance, logger })).toBeNull();
  });

  it('passes the settings through: the bot posts to SLACK_API_URL, the webhook with its username and icon', async () => {
    const b = await bot();
    const viaBot = createSlackSender({ botToken: BOT_TOKEN, apiUrl: b.slack.apiUrl, ...appearance, logger });
    expect(await viaBot?.post({ channel: 'team-a', text: 'hello' })).toEqual({ channelId: b.slack.channelIds['team-a'], ts: b.slack.posts[0]?.ts });
    const w = await webhook();
    const viaHook = createSlackSender({ webhookUrl: w.hook.url, ...appearance, logger });
    expect(await viaHook?.post({ channel: 'team-a', text: 'hello' })).toEqual({});
    expect(w.hook.messages).toEqual([expect.objectContaining({ channel: '#team-a', text: 'hello', username: 'acr-aks-sync', icon_emoji: ':warning:' })]);
  });
});
