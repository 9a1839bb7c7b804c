/**
 * The alert lifecycle end to end: state in Azurite through the real @azure/data-tables, Slack
 * through the real @slack/web-api (bot token) against the chat.postMessage emulator. Scan
 * reports are built directly; time is a settable clock (see support/deliveryHarness.ts).
 * Retries: deliveryRetries.test.ts; state writes that fail or race: deliveryState.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { alertLine, MAX_SLACK_VALUE_CHARS } from '../../src/notify/slackText.js';
import { caughtUp, cluster, finding, HOUR, MINUTE, report } from '../support/alertFixtures.js';
import { api, fieldTexts, header, listed, prod, useDeliveryHarness } from '../support/deliveryHarness.js';

const harness = useDeliveryHarness('delivery');

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
});
