/**
 * Delivery when Slack is slow, throttles or fails: Retry-After and backoff within the scan's
 * budget, posts that may have landed, claims about to expire, an invalid token. Time is a
 * settable clock and retry waits are recorded, not slept (except one real 1-second Retry-After).
 */
import { describe, expect, it } from 'vitest';
import { startSlackApi } from '../../emulators/slackApi.js';
import { WebApiSender } from '../../src/notify/webApiSender.js';
import { finding, HOUR, MINUTE, recordingLogger } from '../support/alertFixtures.js';
import { api, BOT_TOKEN, header, listed, prod, useDeliveryHarness, type Harness } from '../support/deliveryHarness.js';

const harness = useDeliveryHarness('retries');

describe('alert lifecycle with a Slack app (bot token) and table state', () => {
  it('rides out a 429 storm, waiting what each Retry-After says, and posts once', async () => {
    const h = await harness();
    h.slack.rateLimitNext(6, 2);
    expect(await h.scan(prod(api))).toMatchObject({ new: 1, failed: 0, messages: 1 });
    expect(h.waits).toEqual([2000, 2000, 2000, 2000, 2000, 2000]);
    expect(h.slack.posts).toHaveLength(1);
    expect(h.slack.requests.filter((r) => r.kind === 'chat.postMessage').map((r) => r.status)).toEqual([429, 429, 429, 429, 429, 429, 200]);
  });

  it('waits out a real one-second Retry-After with the default sleep', async () => {
    const h = await harness();
    h.slack.rateLimitNext(1, 1);
    const started = Date.now();
    const result = await h.scan(prod(api), { sleep: undefined });
    expect(Date.now() - started).toBeGreaterThanOrEqual(990);
    expect(result).toMatchObject({ new: 1, messages: 1 });
    expect(h.slack.posts).toHaveLength(1);
  });

  it('gives up when the storm outlasts the scan’s retry budget, and the next scan delivers', async () => {
    const h = await harness({ retryBudgetMs: 10_000 });
    h.slack.rateLimitNext(10, 4);
    expect(await h.scan(prod(api))).toMatchObject({ sent: 0, failed: 1 });
    expect(h.waits).toEqual([4000, 4000]);
    expect(h.slack.posts).toHaveLength(0);
    // The emulator still has 7 rate-limited answers queued; a later scan gets through them.
    h.clock.advance(5 * MINUTE);
    expect(await h.scan(prod(api), { retryBudgetMs: 60_000 })).toMatchObject({ new: 1, failed: 0 });
    expect(h.slack.posts).toHaveLength(1);
  });

  it('retries 5xx with backoff; a post that still fails is delivered by the next scan, as what it was', async () => {
    const h = await harness();
    h.slack.failNext(2, 503);
    expect(await h.scan(prod(api))).toMatchObject({ new: 1 });
    expect(h.waits).toEqual([1000, 2000]);

    // A reminder whose every attempt fails stays owed...
    h.clock.advance(6 * HOUR);
    h.slack.failNext(4, 500);
    expect(await h.scan(prod(api))).toMatchObject({ sent: 0, failed: 1 });
    expect(h.slack.posts).toHaveLength(1);
    const [owed] = await h.state();
    expect(owed?.record).toMatchObject({ claim: null, lastSentAt: '2026-03-02T09:00:00.000Z' });
    expect(h.logger.lines.some((l) => l.startsWith('error Slack post failed; the next scan retries') && l.includes('http_500'))).toBe(true);

    // ...and the next scan sends it as a reminder, in the thread.
    h.clock.advance(5 * MINUTE);
    expect(await h.scan(prod(api))).toMatchObject({ reminders: 1 });
    expect(h.slack.posts[1]).toMatchObject({ thread_ts: h.slack.posts[0]?.ts });

    // A first alert that fails is sent as new next time.
    h.slack.failNext(4, 502);
    const web = finding({ name: 'web' });
    h.clock.advance(5 * MINUTE);
    expect(await h.scan(prod(api, web))).toMatchObject({ failed: 1 });
    h.clock.advance(5 * MINUTE);
    expect(await h.scan(prod(api, web))).toMatchObject({ new: 1 });
    expect(header(h.slack.posts[2])).toBe('Image drift: 1 new');
    expect(listed(h.slack.posts[2])).toEqual(['web']);
    for (const line of h.logger.lines) expect(line).not.toContain(BOT_TOKEN);
  });

  describe('a post Slack accepted but did not answer (it may have landed)', () => {
    const impatient = (h: Harness) => new WebApiSender({ botToken: BOT_TOKEN, apiUrl: h.slack.apiUrl, timeoutMs: 100, logger: h.logger });

    it('is retried once in a scan, so at most two copies land; the next scan posts it again', async () => {
      const h = await harness();
      h.slack.acceptWithoutAnswer(2);
      const result = await h.scan(prod(api), { sender: impatient(h), retryPolicy: { retryTimeoutMs: 200 } });
      expect(result).toMatchObject({ sent: 0, failed: 1 });
      expect(result.failures).toEqual([{ stage: 'post', reason: 'timeout', items: 1 }]);
      // Both attempts were accepted by Slack: two copies, and no third attempt.
      expect(h.slack.posts).toHaveLength(2);
      expect(h.slack.requests.filter((r) => r.kind === 'chat.postMessage')).toHaveLength(2);
      expect(h.waits).toEqual([1000]);
      expect(h.logger.lines.some((l) => l.startsWith('warn Slack post may have been posted already (no answer); not retried again in this scan'))).toBe(true);
      const [owed] = await h.state();
      expect(owed?.record).toMatchObject({ announcedTarget: null, claim: null });
      // Still owed: the next scan posts it (a third copy, as the README says), and is answered.
      h.clock.advance(5 * MINUTE);
      expect(await h.scan(prod(api), { sender: impatient(h) })).toMatchObject({ new: 1, failed: 0 });
      expect(h.slack.posts).toHaveLength(3);
    });

    it('retries with the longer timeout, so a slow answer is waited for instead of timing out again', async () => {
      const h = await harness();
      h.slack.acceptWithoutAnswer(1);
      h.slack.acceptWithoutAnswer(1, 400); // answered after the first attempt's 100 ms timeout
      const result = await h.scan(prod(api), { sender: impatient(h), retryPolicy: { retryTimeoutMs: 10_000 } });
      expect(result).toMatchObject({ new: 1, failed: 0 });
      expect(h.slack.posts).toHaveLength(2);
      const [stored] = await h.state();
      expect(stored?.record).toMatchObject({ announcedTarget: 'prod-789', thread: { ts: h.slack.posts[1]?.ts } });
    });

    it('is not a post that never left: a connection refused keeps the normal retries', async () => {
      const h = await harness();
      const closed = await startSlackApi({ botToken: BOT_TOKEN, channels: [{ name: 'team-a' }] });
      const url = closed.apiUrl;
      await closed.close();
      const result = await h.scan(prod(api), { sender: new WebApiSender({ botToken: BOT_TOKEN, apiUrl: url, timeoutMs: 100, logger: h.logger }) });
      expect(result).toMatchObject({ sent: 0, failed: 1 });
      expect(result.failures).toEqual([{ stage: 'post', reason: 'connection_failed_econnrefused', items: 1 }]);
      expect(h.waits).toEqual([1000, 2000, 4000]);
    });
  });

  it('stops starting posts when its claims are about to expire, leaving the rest to the next scan', async () => {
    const h = await harness({ retryBudgetMs: 30 * MINUTE });
    // Waiting moves the clock: three 90-second Retry-Afters eat 4.5 of the claim's 5 minutes.
    const slowSleep = async (ms: number) => {
      h.waits.push(ms);
      h.clock.advance(ms);
    };
    h.slack.rateLimitNext(3, 90);
    const result = await h.scan(prod(api, finding({ name: 'b', channel: 'team-b' })), { sleep: slowSleep });
    expect(result).toMatchObject({ new: 1, failed: 1 });
    expect(h.slack.posts.map((p) => p.channel)).toEqual(['team-a']);
    h.clock.advance(MINUTE);
    expect(await h.scan(prod(api, finding({ name: 'b', channel: 'team-b' })))).toMatchObject({ new: 1, unchanged: 1 });
    expect(h.slack.posts.map((p) => p.channel)).toEqual(['team-a', 'team-b']);
  });

  it('stops posting on an invalid token, keeps every alert owed, and never shows the token', async () => {
    const h = await harness();
    const logger = recordingLogger();
    const badToken = 'xoxb-9999999999-8888888888888-zzzzzzzzzzzzzzzzzzzzzzzz';
    const result = await h.scan(prod(api, finding({ name: 'b', channel: 'team-b' })), {
      sender: new WebApiSender({ botToken: badToken, apiUrl: h.slack.apiUrl, logger }),
      logger,
    });
    expect(result).toMatchObject({ sent: 0, failed: 2 });
    expect(h.slack.requests.filter((r) => r.kind === 'chat.postMessage')).toHaveLength(1);
    expect((await h.state()).every((s) => s.record.announcedTarget === null && s.record.claim === null)).toBe(true);
    expect(logger.lines.some((l) => l.includes('invalid_auth'))).toBe(true);
    for (const line of logger.lines) expect(line).not.toContain(badToken);
    h.clock.advance(5 * MINUTE);
    expect(await h.scan(prod(api, finding({ name: 'b', channel: 'team-b' })))).toMatchObject({ new: 2 });
  });
});
