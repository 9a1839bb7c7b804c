import { IncomingWebhook, IncomingWebhookHTTPError } from '@slack/webhook';
import { afterEach, describe, expect, it } from 'vitest';
import { startSlackWebhookReceiver } from '../../emulators/slackWebhook.js';
import type { SlackWebhookReceiver } from '../../emulators/slackWebhook.js';

const open: SlackWebhookReceiver[] = [];
async function start(options: Parameters<typeof startSlackWebhookReceiver>[0] = {}): Promise<SlackWebhookReceiver> {
  const receiver = await startSlackWebhookReceiver(options);
  open.push(receiver);
  return receiver;
}
afterEach(async () => {
  await Promise.all(open.splice(0).map((r) => r.close()));
});

async function sendError(webhook: IncomingWebhook, message: Parameters<IncomingWebhook['send']>[0]): Promise<IncomingWebhookHTTPError> {
  const err = await webhook.send(message).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(IncomingWebhookHTTPError);
  return err as IncomingWebhookHTTPError;
}

describe('Slack incoming webhook emulator with @slack/webhook', () => {
  it('accepts messages and answers ok like Slack', async () => {
    const slack = await start();
    const webhook = new IncomingWebhook(slack.url, { username: 'acr-aks-sync' });
    const blocks = [{ type: 'section', text: { type: 'mrkdwn', text: '*web/frontend* runs `prod-6`, newest is `prod-7`' } }];
    await expect(webhook.send('plain text')).resolves.toEqual({ text: 'ok' });
    await expect(webhook.send({ text: 'fallback', blocks })).resolves.toEqual({ text: 'ok' });
    expect(slack.messages).toEqual([
      { username: 'acr-aks-sync', text: 'plain text' },
      { username: 'acr-aks-sync', text: 'fallback', blocks },
    ]);
    expect(slack.requests).toEqual([
      { method: 'POST', path: new URL(slack.url).pathname, query: {}, kind: 'webhook', status: 200 },
      { method: 'POST', path: new URL(slack.url).pathname, query: {}, kind: 'webhook', status: 200 },
    ]);
  });

  it('rejects malformed JSON with 400 invalid_payload and empty messages with 400 no_text', async () => {
    const slack = await start();
    const res = await fetch(slack.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"text": "unterminated' });
    expect(res.status).toBe(400);
    expect(await res.text()).toBe('invalid_payload');
    const err = await sendError(new IncomingWebhook(slack.url), { username: 'only-a-name' });
    expect(err.statusCode).toBe(400);
    expect(err.body).toBe('no_text');
    expect(slack.messages).toHaveLength(0);
    expect(slack.requests.map((r) => r.status)).toEqual([400, 400]);
  });

  it('accepts the form-encoded payload= variant', async () => {
    const slack = await start();
    const res = await fetch(slack.url, { method: 'POST', body: new URLSearchParams({ payload: JSON.stringify({ text: 'form' }) }) });
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('ok');
    expect(slack.messages).toEqual([{ text: 'form' }]);
  });

  it('fails the next posts on demand: 429 is not retried by @slack/webhook, 5xx is', async () => {
    const slack = await start();
    slack.failNext(1, 429, { 'Retry-After': '1' });
    const limited = await sendError(new IncomingWebhook(slack.url, { retryConfig: { retries: 3, minTimeout: 10, maxTimeout: 20 } }), 'first');
    expect(limited.statusCode).toBe(429);
    expect(limited.body).toBe('rate_limited');
    expect(slack.requests).toHaveLength(1);

    slack.failNext(2, 503);
    const retrying = new IncomingWebhook(slack.url, { retryConfig: { retries: 3, minTimeout: 10, maxTimeout: 20 } });
    await expect(retrying.send('second')).resolves.toEqual({ text: 'ok' });
    expect(slack.requests.map((r) => r.status)).toEqual([429, 503, 503, 200]);
    expect(slack.messages).toEqual([{ text: 'second' }]);

    slack.failNext(1, 500);
    const noRetry = await sendError(new IncomingWebhook(slack.url), 'third');
    expect(noRetry.statusCode).toBe(500);
    expect(slack.messages).toHaveLength(1);
  });

  it('passes Retry-After through on a 429', async () => {
    const slack = await start();
    slack.failNext(1, 429, { 'Retry-After': '7' });
    const res = await fetch(slack.url, { method: 'POST', body: JSON.stringify({ text: 'x' }), headers: { 'content-type': 'application/json' } });
    expect(res.status).toBe(429);
    expect(res.headers.get('retry-after')).toBe('7');
  });

  it('answers 403 invalid_token for a wrong secret and 404 no_service elsewhere', async () => {
    const slack = await start();
    const wrongSecret = slack.url.replace(/[^/]+$/, 'not-the-secret');
    expect((await sendError(new IncomingWebhook(wrongSecret), 'x')).statusCode).toBe(403);
    const other = new URL('/services/T1/B1/x', slack.url).toString();
    const notFound = await sendError(new IncomingWebhook(other), 'x');
    expect([notFound.statusCode, notFound.body]).toEqual([404, 'no_service']);
    expect(slack.messages).toHaveLength(0);
  });

  it('accepts a message and then answers late, or never', async () => {
    const slack = await start();
    slack.acceptWithoutAnswer(1);
    slack.acceptWithoutAnswer(1, 50);
    const webhook = new IncomingWebhook(slack.url, { timeout: 300, retryConfig: { retries: 0 } });
    const lost = await webhook.send('lost answer').then(
      () => 'answered',
      (e: { original?: { name?: string } }) => e.original?.name,
    );
    expect(lost).toBe('TimeoutError');
    await expect(webhook.send('late answer')).resolves.toEqual({ text: 'ok' });
    expect(slack.messages).toEqual([{ text: 'lost answer' }, { text: 'late answer' }]);
    expect(slack.requests.map((r) => r.status)).toEqual([0, 200]);
  });

  it('waits latencyMs before answering', async () => {
    const slack = await start({ latencyMs: 120 });
    const t0 = Date.now();
    await new IncomingWebhook(slack.url).send('slow');
    expect(Date.now() - t0).toBeGreaterThanOrEqual(110);
    expect(slack.messages).toHaveLength(1);
  });
});
