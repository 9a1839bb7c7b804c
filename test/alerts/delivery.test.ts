/**
 * The alert lifecycle end to end: state in Azurite through the real @azure/data-tables, Slack
 * through the real @slack/web-api (bot token) against the chat.postMessage emulator. Scan
 * reports are built directly; time is a settable clock and retry waits are recorded, not slept
 * (except one real 1-second Retry-After).
 */
import { describe, expect, it } from 'vitest';
import { startSlackApi, type SlackApiEmulator, type SlackPost } from '../../emulators/slackApi.js';
import { alertKeyOf } from '../../src/alerts/alertKey.js';
import { deliverAlerts, type DeliveryOptions, type DeliveryResult } from '../../src/alerts/deliver.js';
import { deliveryProblem } from '../../src/alerts/deliveryResult.js';
import type { StateStore, StoredAlert } from '../../src/alerts/state/stateStore.js';
import type { TableStateStore } from '../../src/alerts/state/tableStateStore.js';
import type { AlertRecord } from '../../src/model/alert.js';
import type { Finding, ScanReport } from '../../src/model/finding.js';
import type { SectionBlock } from '../../src/notify/slackBlocks.js';
import { alertLine, MAX_SLACK_VALUE_CHARS } from '../../src/notify/slackText.js';
import { WebApiSender } from '../../src/notify/webApiSender.js';
import { caughtUp, cluster, fakeSleep, finding, HOUR, MINUTE, recordingLogger, report, TestClock } from '../support/alertFixtures.js';
import { useAzuriteTables } from '../support/azuriteTables.js';

const BOT_TOKEN = 'xoxb-1111111111-2222222222222-abcdefghijklmnopqrstuvwx';

const tables = useAzuriteTables('delivery');

interface Harness {
  slack: SlackApiEmulator;
  store: TableStateStore;
  clock: TestClock;
  waits: number[];
  logger: ReturnType<typeof recordingLogger>;
  scan(scanReport: ScanReport, over?: Partial<DeliveryOptions>): Promise<DeliveryResult>;
  state(clusterName?: string): Promise<StoredAlert[]>;
}

async function harness(over: Partial<DeliveryOptions> = {}): Promise<Harness> {
  const slack = await startSlackApi({
    botToken: BOT_TOKEN,
    channels: [
      { name: 'platform-alerts' },
      { name: 'team-a' },
      { name: 'team-b' },
      { name: 'archived-team', archived: true },
      { name: 'private-team', member: false },
    ],
  });
  tables.afterTest(() => slack.close());
  const store = tables.newStore();
  const clock = new TestClock();
  const { sleep, waits } = fakeSleep();
  const logger = recordingLogger();
  const sender = new WebApiSender({ botToken: BOT_TOKEN, apiUrl: slack.apiUrl, logger });
  return {
    slack,
    store,
    clock,
    waits,
    logger,
    scan: (scanReport, more = {}) =>
      deliverAlerts(scanReport, {
        store,
        sender,
        defaultChannel: 'platform-alerts',
        repeatIntervalMs: 6 * HOUR,
        notifyResolved: true,
        logger,
        now: clock.now,
        sleep,
        ...over,
        ...more,
      }),
    state: async (clusterName = 'prod-aks') => (await store.load([clusterName])).alerts,
  };
}

function fieldTexts(post: SlackPost | undefined): string[][] {
  return ((post?.blocks ?? []) as SectionBlock[]).filter((b) => b.type === 'section' && b.fields).map((b) => (b.fields ?? []).map((f) => f.text));
}

function header(post: SlackPost | undefined): string {
  const block = (post?.blocks ?? [])[0] as { type: string; text: { text: string } } | undefined;
  return block?.type === 'header' ? block.text.text : '';
}

/** Workload names listed by a post, in order. */
function listed(post: SlackPost | undefined): string[] {
  return fieldTexts(post).map((fields) => /\/([^`\s]+)` ·/.exec(fields[2] ?? '')?.[1] ?? '?');
}

const api = finding({ name: 'api' });
const prod = (...findings: Finding[]) => report(cluster('prod-aks', findings));

describe('alert lifecycle with a Slack app (bot token) and table state', () => {
  it('first alert: one Block Kit message in the team channel, the old wording as fallback, the thread remembered', async () => {
    const h = await harness();
    const result = await h.scan(prod(api));
    expect(result).toMatchObject({ sent: 1, new: 1, failed: 0, messages: 1 });
    expect(h.slack.posts).toHaveLength(1);
    const post = h.slack.posts[0];
    expect(post).toMatchObject({ channel: 'team-a' });
    expect(post?.thread_ts).toBeUndefined();
    expect(header(post)).toBe('Image drift: 1 new');
    expect(fieldTexts(post)[0]).toEqual([
      '*Cluster*\n`prod-aks`',
      '*Namespace*\n`payments`',
      '*Workload*\n`Deployment/api` · container `app`',
      '*Running*\n`team/api:prod-456`',
      '*Newest*\n`prod-789` (pushed 2026-03-02 07:00 UTC)',
      '*Lagging for*\n2h',
    ]);
    expect(post?.text).toContain(alertLine('prod-aks', api));

    const [stored] = await h.state();
    expect(stored?.record).toMatchObject({
      announcedTarget: 'prod-789',
      lastSentAt: h.clock.date().toISOString(),
      thread: { channelId: h.slack.channelIds['team-a'], ts: post?.ts },
      claim: null,
    });
  });

  it('a pod naming a 600-character owner stops no alert: every alert of both clusters is delivered, that one too', async () => {
    const h = await harness();
    const longOwner = finding({ name: `evil-${'o'.repeat(595)}`, namespace: 'sandbox', channel: 'team-b' });
    const scanReport = report(
      cluster('prod-aks', [api, finding({ name: 'web' }), longOwner]),
      cluster('dev-aks', [finding({ name: 'api' }), finding({ name: 'worker', channel: 'team-b' })]),
    );
    expect(await h.scan(scanReport)).toMatchObject({ new: 5, failed: 0 });
    expect(h.slack.posts.flatMap((p) => listed(p)).sort()).toEqual(['api', 'api', `${longOwner.workload.name.slice(0, MAX_SLACK_VALUE_CHARS - 1 - 'Deployment/'.length)}…`, 'web', 'worker'].sort());
    expect(await h.state('prod-aks')).toHaveLength(3);
    expect(await h.state('dev-aks')).toHaveLength(2);
    // And the next scan knows it was sent.
    h.clock.advance(5 * MINUTE);
    expect(await h.scan(scanReport)).toMatchObject({ sent: 0, unchanged: 5 });
  });

  describe('one item the store refuses is that item’s failure', () => {
    /** The store, except that writes `poisoned` picks carry a value Azure refuses (a property over 64 KiB: HTTP 400). */
    function refusing(store: TableStateStore, poisoned: (r: AlertRecord, op: 'insert' | 'replace') => boolean): StateStore {
      const poison = (r: AlertRecord): AlertRecord => ({ ...r, channel: 'c'.repeat(40_000) });
      return {
        description: store.description,
        load: (clusters) => store.load(clusters),
        insert: (r) => store.insert(poisoned(r, 'insert') ? poison(r) : r),
        replace: (r, etag) => store.replace(poisoned(r, 'replace') ? poison(r) : r, etag),
        remove: (key, etag) => store.remove(key, etag),
      };
    }
    const bad = finding({ name: 'bad', channel: 'team-b' });
    const twoClusters = () => report(cluster('prod-aks', [api, finding({ name: 'web' }), bad]), cluster('dev-aks', [finding({ name: 'worker' })]));

    it('a claim answered 400: every other alert is delivered, the item counted and logged, and sent by the next scan', async () => {
      const h = await harness();
      const store = refusing(h.store, (r, op) => op === 'insert' && r.workloadName === 'bad');
      const result = await h.scan(twoClusters(), { store });
      expect(result).toMatchObject({ new: 3, failed: 1, stateErrors: 1 });
      expect(result.failures).toEqual([{ stage: 'claim', reason: expect.stringMatching(/^alert state table: claiming an alert failed \(HTTP 400/), items: 1 }]);
      expect(deliveryProblem(result)).toMatch(/^1 alert item\(s\) not delivered, 1 alert state write\(s\) failed: claim alert state table/);
      expect(h.slack.posts.flatMap((p) => listed(p)).sort()).toEqual(['api', 'web', 'worker']);
      expect(h.logger.lines.some((l) => l.startsWith('error alert state: claim failed for one item') && l.includes('"item":"prod-aks/payments_Deployment_bad_app"'))).toBe(true);

      h.clock.advance(5 * MINUTE);
      expect(await h.scan(twoClusters())).toMatchObject({ new: 1, unchanged: 3, failed: 0 });
      expect(listed(h.slack.posts.at(-1))).toEqual(['bad']);
    });

    it('a commit answered 400 after Slack accepted the post: counted and logged, the other items advance', async () => {
      const h = await harness();
      const store = refusing(h.store, (r, op) => op === 'replace' && r.workloadName === 'bad' && r.claim === null);
      const result = await h.scan(twoClusters(), { store });
      expect(result).toMatchObject({ new: 4, sent: 4, failed: 0, stateErrors: 1 });
      expect(result.failures).toEqual([{ stage: 'commit', reason: expect.stringMatching(/HTTP 400/), items: 1 }]);
      expect(deliveryProblem(result)).not.toBeNull();
      const stored = await h.state();
      expect(stored.filter((s) => s.record.announcedTarget === 'prod-789').map((s) => s.record.workloadName).sort()).toEqual(['api', 'web']);
    });

    it('a release answered 400 after a failed post: both counted, the claim expires by itself', async () => {
      const h = await harness();
      h.slack.failNext(4, 500);
      const store = refusing(h.store, (r, op) => op === 'replace' && r.claim === null);
      const result = await h.scan(prod(bad), { store });
      expect(result).toMatchObject({ sent: 0, failed: 1, stateErrors: 1 });
      expect(result.failures).toEqual([
        { stage: 'post', reason: 'http_500', items: 1 },
        { stage: 'release', reason: expect.stringMatching(/HTTP 400/), items: 1 },
      ]);
      h.clock.advance(5 * MINUTE);
      expect(await h.scan(prod(bad))).toMatchObject({ new: 1, failed: 0 });
    });
  });

  it('stays silent while nothing changes, reminds in the thread after NOTIFY_REPEAT_INTERVAL, then is silent again', async () => {
    const h = await harness();
    await h.scan(prod(api));
    const first = h.slack.posts[0];
    for (let i = 0; i < 5; i++) {
      h.clock.advance(5 * MINUTE);
      expect(await h.scan(prod(api))).toMatchObject({ sent: 0, unchanged: 1, messages: 0 });
    }
    expect(h.slack.posts).toHaveLength(1);

    h.clock.advance(6 * HOUR - 25 * MINUTE);
    expect(await h.scan(prod(api))).toMatchObject({ reminders: 1, messages: 1 });
    const reminder = h.slack.posts[1];
    expect(reminder).toMatchObject({ channel: 'team-a', thread_ts: first?.ts });
    expect(header(reminder)).toBe('Image drift: 1 still lagging');
    expect(fieldTexts(reminder)[0]).toContain('*Lagging for*\n8h');

    h.clock.advance(5 * MINUTE);
    expect(await h.scan(prod(api))).toMatchObject({ sent: 0, unchanged: 1 });
    expect(h.slack.posts).toHaveLength(2);
  });

  it('with NOTIFY_REPEAT_INTERVAL 0 repeats on every scan, as the old job did', async () => {
    const h = await harness({ repeatIntervalMs: 0 });
    await h.scan(prod(api));
    h.clock.advance(5 * MINUTE);
    await h.scan(prod(api));
    h.clock.advance(5 * MINUTE);
    await h.scan(prod(api));
    expect(h.slack.posts.map((p) => header(p))).toEqual(['Image drift: 1 new', 'Image drift: 1 still lagging', 'Image drift: 1 still lagging']);
  });

  it('announces a newer tag pushed while still lagging as a new alert with its own thread', async () => {
    const h = await harness();
    await h.scan(prod(api));
    h.clock.advance(HOUR);
    const newer = finding({ name: 'api', latestTag: 'prod-790', latestUpdatedAt: new Date(h.clock.now() - 10 * MINUTE).toISOString() });
    expect(await h.scan(prod(newer))).toMatchObject({ new: 1 });
    const post = h.slack.posts[1];
    expect(post?.thread_ts).toBeUndefined();
    expect(header(post)).toBe('Image drift: 1 new');
    expect(fieldTexts(post)[0]).toContain('*Newest*\n`prod-790` (pushed 2026-03-02 09:50 UTC)');
    // Lagging since the first alert's newest tag, not since prod-790.
    expect(fieldTexts(post)[0]).toContain('*Lagging for*\n3h');
    const [stored] = await h.state();
    expect(stored?.record).toMatchObject({ announcedTarget: 'prod-790', thread: { ts: post?.ts } });
  });

  it('says once, in the thread, that an alert is resolved, then forgets it', async () => {
    const h = await harness();
    const web = finding({ name: 'web' });
    await h.scan(prod(api, web));
    const root = h.slack.posts[0];
    expect(listed(root)).toEqual(['api', 'web']);

    h.clock.advance(30 * MINUTE);
    // api caught up; web is gone (deleted workload).
    expect(await h.scan(prod(caughtUp(api)))).toMatchObject({ resolved: 2, messages: 1 });
    const notice = h.slack.posts[1];
    expect(notice).toMatchObject({ channel: 'team-a', thread_ts: root?.ts });
    expect(header(notice)).toBe('Image drift: 2 resolved');
    expect(fieldTexts(notice)[0]).toContain('*Now*\n`team/api:prod-789` (newest)');
    expect(fieldTexts(notice)[1]).toContain('*Now*\nworkload gone');
    expect(notice?.text).toContain('Resolved: on AKS cluster prod-aks, payments/api (container app) now runs team/api:prod-789');
    expect(await h.state()).toEqual([]);

    h.clock.advance(7 * HOUR);
    expect(await h.scan(prod(caughtUp(api)))).toMatchObject({ sent: 0 });
    expect(h.slack.posts).toHaveLength(2);
  });

  it('does not resolve alerts of a cluster that failed to scan, and resolves nothing when NOTIFY_RESOLVED is off', async () => {
    const h = await harness();
    await h.scan(report(cluster('prod-aks', [api]), cluster('dev-aks', [finding({ name: 'dev' })])));
    h.clock.advance(10 * MINUTE);
    expect(await h.scan(report(cluster('prod-aks', [api]), cluster('dev-aks', [], false)))).toMatchObject({ sent: 0 });
    expect(await h.state('dev-aks')).toHaveLength(1);

    h.clock.advance(10 * MINUTE);
    expect(await h.scan(report(cluster('prod-aks', [api]), cluster('dev-aks', [])), { notifyResolved: false })).toMatchObject({ sent: 0, removedSilently: 1 });
    expect(await h.state('dev-aks')).toEqual([]);
    expect(h.slack.posts).toHaveLength(1);
  });

  it('groups many items into one message per channel, and splits what exceeds Slack’s block limit', async () => {
    const h = await harness();
    const teamA = Array.from({ length: 20 }, (_, i) => finding({ name: `a-${String(i).padStart(2, '0')}` }));
    const teamB = Array.from({ length: 10 }, (_, i) => finding({ name: `b-${i}`, namespace: 'search', channel: 'team-b' }));
    const noLabel = [finding({ name: 'orphan', namespace: 'web', channel: null })];
    expect(await h.scan(prod(...teamA, ...teamB, ...noLabel))).toMatchObject({ new: 31, messages: 3 });
    const byChannel = Object.fromEntries(h.slack.posts.map((p) => [p.channel, listed(p)]));
    expect(byChannel['team-a']).toEqual(teamA.map((f) => f.workload.name));
    expect(byChannel['team-b']).toEqual(teamB.map((f) => f.workload.name));
    expect(byChannel['platform-alerts']).toEqual(['orphan']);

    const many = Array.from({ length: 120 }, (_, i) => finding({ name: `svc-${String(i).padStart(3, '0')}`, channel: 'team-b' }));
    h.clock.advance(MINUTE);
    expect(await h.scan(report(cluster('big-aks', many)))).toMatchObject({ new: 120, messages: 3 });
    const parts = h.slack.posts.slice(3);
    expect(parts.every((p) => p.channel === 'team-b' && (p.blocks ?? []).length <= 50)).toBe(true);
    expect(parts.map((p) => header(p))).toEqual(['Image drift: 48 new (part 1 of 3)', 'Image drift: 48 new (part 2 of 3)', 'Image drift: 24 new (part 3 of 3)']);
    expect(parts.flatMap((p) => listed(p))).toEqual(many.map((f) => f.workload.name));
    // Each part is the thread root of the items it lists.
    const stored = await h.state('big-aks');
    const rootOf = new Map(stored.map((s) => [s.record.workloadName, s.record.thread?.ts]));
    expect(rootOf.get('svc-000')).toBe(parts[0]?.ts);
    expect(rootOf.get('svc-119')).toBe(parts[2]?.ts);
  });

  it.each([
    ['ghost-team', 'channel_not_found'],
    ['private-team', 'not_in_channel'],
    ['archived-team', 'is_archived'],
  ])('falls back to SLACK_CHANNEL when the team channel %s gives %s, saying why, and threads there later', async (channel, code) => {
    const h = await harness();
    const f = finding({ name: 'api', channel });
    expect(await h.scan(prod(f))).toMatchObject({ new: 1, fallbacks: 1, failed: 0 });
    expect(h.slack.posts).toHaveLength(1);
    const post = h.slack.posts[0];
    expect(post?.channel).toBe('platform-alerts');
    const note = `Posted in #platform-alerts because acr-aks-sync cannot post to #${channel}: ${code}.`;
    expect(JSON.stringify(post?.blocks)).toContain(note);
    expect(post?.text).toContain(note);
    expect(h.logger.lines.some((l) => l.startsWith('warn Slack channel unavailable') && l.includes(code))).toBe(true);

    h.clock.advance(6 * HOUR);
    await h.scan(prod(f));
    expect(h.slack.posts[1]).toMatchObject({ channel: 'platform-alerts', thread_ts: post?.ts });
  });

  it('posts a reminder whose thread is no longer reachable as a new top-level message in SLACK_CHANNEL', async () => {
    const h = await harness();
    await h.scan(prod(api));
    const [stored] = await h.state();
    // The channel of the first message has gone (deleted, or the app was removed from it).
    const moved = { ...stored!.record, thread: { channelId: 'C0DELETED0001', ts: stored!.record.thread!.ts } };
    expect(await h.store.replace(moved, stored!.etag)).not.toBeNull();
    h.clock.advance(6 * HOUR);
    expect(await h.scan(prod(api))).toMatchObject({ reminders: 1, fallbacks: 1, failed: 0 });
    const post = h.slack.posts[1];
    expect(post).toMatchObject({ channel: 'platform-alerts' });
    expect(post?.thread_ts).toBeUndefined();
    expect(post?.text).toContain('cannot post to the thread in C0DELETED0001: channel_not_found');
    const [after] = await h.state();
    expect(after?.record.thread).toEqual({ channelId: h.slack.channelIds['platform-alerts'], ts: post?.ts });
  });

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

  it('two scans racing on one state table send each item exactly once', async () => {
    const h = await harness();
    // Both runs read the state before either claims anything: the worst case.
    let arrived = 0;
    let release: () => void = () => {};
    const bothLoaded = new Promise<void>((resolve) => (release = resolve));
    const racingStore: StateStore = {
      description: 'racing',
      load: async (clusters) => {
        const records = await h.store.load(clusters);
        arrived += 1;
        if (arrived === 2) release();
        await bothLoaded;
        return records;
      },
      insert: (r) => h.store.insert(r),
      replace: (r, e) => h.store.replace(r, e),
      remove: (k, e) => h.store.remove(k, e),
    };
    const findings = Array.from({ length: 25 }, (_, i) => finding({ name: `svc-${String(i).padStart(2, '0')}`, channel: i % 2 ? 'team-a' : 'team-b' }));
    const [one, two] = await Promise.all([
      h.scan(prod(...findings), { store: racingStore, runId: 'run-one' }),
      h.scan(prod(...findings), { store: racingStore, runId: 'run-two' }),
    ]);
    expect(arrived).toBe(2);
    expect((one?.new ?? 0) + (two?.new ?? 0)).toBe(25);
    expect((one?.skipped ?? 0) + (two?.skipped ?? 0)).toBe(25);
    const announced = h.slack.posts.flatMap((p) => listed(p));
    expect(announced.sort()).toEqual(findings.map((f) => f.workload.name).sort());

    // And the reminder, six hours later, is also sent once.
    h.clock.advance(6 * HOUR);
    arrived = 0;
    const before = h.slack.posts.length;
    const secondRace = new Promise<void>((resolve) => (release = resolve));
    racingStore.load = async (clusters) => {
      const records = await h.store.load(clusters);
      arrived += 1;
      if (arrived === 2) release();
      await secondRace;
      return records;
    };
    await Promise.all([h.scan(prod(...findings), { store: racingStore }), h.scan(prod(...findings), { store: racingStore })]);
    expect(h.slack.posts.slice(before).flatMap((p) => listed(p)).sort()).toEqual(findings.map((f) => f.workload.name).sort());
  });

  it('leaves an item claimed by a run that died alone until the claim expires, then sends it', async () => {
    const h = await harness();
    // A run claimed the item and crashed before posting.
    const expiresAt = new Date(h.clock.now() + 5 * MINUTE).toISOString();
    await h.store.insert({
      ...alertKeyOf('prod-aks', api),
      channel: 'team-a',
      finding: api,
      target: 'prod-789',
      laggingSince: api.latestUpdatedAt as string,
      announcedTarget: null,
      lastSentAt: null,
      thread: null,
      claim: { owner: 'crashed-run', expiresAt },
    });
    h.clock.advance(4 * MINUTE);
    expect(await h.scan(prod(api))).toMatchObject({ sent: 0, skipped: 1 });
    expect(h.slack.posts).toHaveLength(0);
    h.clock.advance(MINUTE);
    expect(await h.scan(prod(api))).toMatchObject({ new: 1 });
    expect(h.slack.posts).toHaveLength(1);
  });
});
