import { LogLevel, WebAPIHTTPError, WebAPIPlatformError, WebAPIRateLimitedError, WebClient, WebClientEvent } from '@slack/web-api';
import { afterEach, describe, expect, it } from 'vitest';
import { startSlackApi } from '../../emulators/slackApi.js';
import type { SlackApiEmulator } from '../../emulators/slackApi.js';

const BOT_TOKEN = 'xoxb-emulator-0000-secret';
const open: SlackApiEmulator[] = [];

async function start(latencyMs?: number): Promise<SlackApiEmulator> {
  const slack = await startSlackApi({
    botToken: BOT_TOKEN,
    channels: [
      { name: 'payments-alerts', id: 'C0PAYMENTS1' },
      { name: 'search-team' },
      { name: 'old-team', archived: true },
      { name: 'not-joined', member: false },
    ],
    ...(latencyMs === undefined ? {} : { latencyMs }),
  });
  open.push(slack);
  return slack;
}
afterEach(async () => {
  await Promise.all(open.splice(0).map((s) => s.close()));
});

function client(slack: SlackApiEmulator, token = BOT_TOKEN, retries?: number): WebClient {
  return new WebClient(token, {
    slackApiUrl: slack.apiUrl,
    logLevel: LogLevel.ERROR,
    ...(retries === undefined ? {} : { retryConfig: { retries } }),
  });
}

async function platformError(promise: Promise<unknown>): Promise<string> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(WebAPIPlatformError);
  return (err as WebAPIPlatformError).data.error;
}

describe('Slack Web API emulator with @slack/web-api WebClient', () => {
  it('posts messages by #name, name and id, with blocks, threads and increasing ts', async () => {
    const slack = await start();
    const web = client(slack);
    const blocks = [{ type: 'section', text: { type: 'mrkdwn', text: '*payments/payments-worker* drifted' } }];
    const first = await web.chat.postMessage({ channel: '#payments-alerts', text: 'drift found', blocks, username: 'acr-aks-sync', icon_emoji: ':whale:' });
    expect(first.ok).toBe(true);
    expect(first.channel).toBe('C0PAYMENTS1');
    expect(first.ts).toMatch(/^\d{10}\.\d{6}$/);
    expect(first.message).toMatchObject({ type: 'message', text: 'drift found', blocks, ts: first.ts, bot_id: expect.any(String) });

    const reply = await web.chat.postMessage({ channel: 'C0PAYMENTS1', text: 'details', thread_ts: first.ts ?? '' });
    const other = await web.chat.postMessage({ channel: 'search-team', text: 'all good' });
    expect(other.channel).toBe(slack.channelIds['search-team']);
    expect(slack.channelIds['search-team']).toMatch(/^C[A-Z0-9]{10}$/);

    const stamps = [first.ts, reply.ts, other.ts].map(Number);
    expect(stamps[1]).toBeGreaterThan(stamps[0] ?? 0);
    expect(stamps[2]).toBeGreaterThan(stamps[1] ?? 0);
    expect(Math.abs((stamps[0] ?? 0) - Date.now() / 1000)).toBeLessThan(60);

    expect(slack.posts).toEqual([
      { channel: 'payments-alerts', channelId: 'C0PAYMENTS1', text: 'drift found', blocks, ts: first.ts, username: 'acr-aks-sync', icon_emoji: ':whale:' },
      { channel: 'payments-alerts', channelId: 'C0PAYMENTS1', text: 'details', thread_ts: first.ts, ts: reply.ts },
      { channel: 'search-team', channelId: slack.channelIds['search-team'], text: 'all good', ts: other.ts },
    ]);
    expect(slack.requests.map((r) => [r.method, r.path, r.kind, r.status])).toEqual(Array(3).fill(['POST', '/api/chat.postMessage', 'chat.postMessage', 200]));
  });

  it('accepts JSON bodies as well as the form bodies the SDK sends', async () => {
    const slack = await start();
    const res = await fetch(`${slack.apiUrl}chat.postMessage`, {
      method: 'POST',
      headers: { 'content-type': 'application/json; charset=utf-8', authorization: `Bearer ${BOT_TOKEN}` },
      body: JSON.stringify({ channel: '#search-team', blocks: [{ type: 'divider' }] }),
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ ok: true, channel: slack.channelIds['search-team'] });
    expect(slack.posts).toMatchObject([{ channel: 'search-team', text: '', blocks: [{ type: 'divider' }] }]);
  });

  it('answers Slack platform errors with ok:false', async () => {
    const slack = await start();
    expect(await platformError(client(slack, 'xoxb-wrong').chat.postMessage({ channel: '#search-team', text: 'x' }))).toBe('invalid_auth');
    const web = client(slack);
    expect(await platformError(web.chat.postMessage({ channel: '#nope', text: 'x' }))).toBe('channel_not_found');
    expect(await platformError(web.chat.postMessage({ channel: 'old-team', text: 'x' }))).toBe('is_archived');
    expect(await platformError(web.chat.postMessage({ channel: '#not-joined', text: 'x' }))).toBe('not_in_channel');
    expect(await platformError(web.chat.postMessage({ channel: '#search-team', text: '' }))).toBe('no_text');
    expect(slack.posts).toHaveLength(0);
    expect(slack.requests.map((r) => [r.kind, r.status])).toEqual(Array(5).fill(['chat.postMessage', 200]));

    const noToken = await fetch(`${slack.apiUrl}chat.postMessage`, { method: 'POST', body: new URLSearchParams({ channel: 'search-team', text: 'x' }) });
    expect(await noToken.json()).toEqual({ ok: false, error: 'not_authed' });
    await expect(web.auth.test()).resolves.toMatchObject({ ok: true, bot_id: expect.any(String) });
  });

  it('rate limits with 429 and Retry-After (rejected immediately when asked)', async () => {
    const slack = await start();
    slack.rateLimitNext(1, 7);
    const web = new WebClient(BOT_TOKEN, { slackApiUrl: slack.apiUrl, logLevel: LogLevel.ERROR, rejectRateLimitedCalls: true, retryConfig: { retries: 0 } });
    const err = await web.chat.postMessage({ channel: '#search-team', text: 'x' }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(WebAPIRateLimitedError);
    expect((err as WebAPIRateLimitedError).retryAfter).toBe(7);
    expect(slack.requests).toMatchObject([{ kind: 'chat.postMessage', status: 429 }]);
    expect(slack.posts).toHaveLength(0);
  });

  it('lets the default WebClient wait out a 429 with Retry-After: 1 and then succeed', async () => {
    const slack = await start();
    slack.rateLimitNext(1, 1);
    const web = client(slack);
    let rateLimitedFor: number | undefined;
    web.on(WebClientEvent.RATE_LIMITED, (seconds: number) => {
      rateLimitedFor = seconds;
    });
    const t0 = Date.now();
    const res = await web.chat.postMessage({ channel: '#payments-alerts', text: 'after the wait' });
    expect(res.ok).toBe(true);
    expect(rateLimitedFor).toBe(1);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(1000);
    expect(slack.requests.map((r) => r.status)).toEqual([429, 200]);
    expect(slack.posts.map((p) => p.text)).toEqual(['after the wait']);
  });

  it('fails with an HTTP status on demand', async () => {
    const slack = await start();
    slack.failNext(1, 503);
    const err = await client(slack, BOT_TOKEN, 0)
      .chat.postMessage({ channel: '#search-team', text: 'x' })
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    expect(err).toBeInstanceOf(WebAPIHTTPError);
    expect((err as WebAPIHTTPError).statusCode).toBe(503);
    // The next call is served normally.
    await expect(client(slack, BOT_TOKEN, 0).chat.postMessage({ channel: '#search-team', text: 'y' })).resolves.toMatchObject({ ok: true });
    expect(slack.requests.map((r) => r.status)).toEqual([503, 200]);
  });

  it('accepts a post and then answers late, or never', async () => {
    const slack = await start();
    slack.acceptWithoutAnswer(1);
    slack.acceptWithoutAnswer(1, 50);
    const web = new WebClient(BOT_TOKEN, { slackApiUrl: slack.apiUrl, logLevel: LogLevel.ERROR, retryConfig: { retries: 0 }, timeout: 300 });
    const lost = await web.chat.postMessage({ channel: '#search-team', text: 'lost answer' }).then(
      () => 'answered',
      (e: { original?: { name?: string } }) => e.original?.name,
    );
    expect(lost).toBe('TimeoutError');
    await expect(web.chat.postMessage({ channel: '#search-team', text: 'late answer' })).resolves.toMatchObject({ ok: true });
    expect(slack.posts.map((p) => p.text)).toEqual(['lost answer', 'late answer']);
    expect(slack.requests.map((r) => r.status)).toEqual([0, 200]);
  });

  it('answers unknown methods with 404 unknown_method and honours latencyMs', async () => {
    const slack = await start(120);
    const t0 = Date.now();
    const res = await fetch(`${slack.apiUrl}chat.nope`, { method: 'POST', headers: { authorization: `Bearer ${BOT_TOKEN}` } });
    expect(Date.now() - t0).toBeGreaterThanOrEqual(110);
    expect(res.status).toBe(404);
    expect(await res.json()).toMatchObject({ ok: false, error: 'unknown_method' });
    expect(slack.requests).toMatchObject([{ kind: 'unknown', status: 404 }]);
  });
});
