/** Grouped Block Kit messages: what a person sees, the plain-text fallback, escaping, limits. */
import { describe, expect, it } from 'vitest';
import type { Finding } from '../../src/model/finding.js';
import { renderAlertMessages, type AlertMessageItem, type SectionBlock, type SlackBlock } from '../../src/notify/slackBlocks.js';
import { alertLine, MAX_SLACK_VALUE_CHARS } from '../../src/notify/slackText.js';
import { caughtUp, finding, HOUR, T0 } from '../support/alertFixtures.js';

const laggingSince = new Date(T0.getTime() - 2 * HOUR - 15 * 60_000).toISOString();

function item(action: AlertMessageItem['action'], name: string, over: Partial<AlertMessageItem> = {}): AlertMessageItem {
  return { action, cluster: 'prod-aks', finding: finding({ name }), laggingSince, ...over };
}

function sections(blocks: SlackBlock[]): SectionBlock[] {
  return blocks.filter((b): b is SectionBlock => b.type === 'section' && b.fields !== undefined);
}

describe('renderAlertMessages', () => {
  it('shows cluster, namespace, workload, running tag, newest tag and how long it has lagged', () => {
    const [message, ...rest] = renderAlertMessages([item('new', 'api')], { now: T0 });
    expect(rest).toEqual([]);
    expect(message?.blocks[0]).toEqual({ type: 'header', text: { type: 'plain_text', text: 'Image drift: 1 new', emoji: true } });
    const fields = sections(message?.blocks ?? [])[0]?.fields?.map((f) => f.text);
    expect(fields).toEqual([
      '*Cluster*\n`prod-aks`',
      '*Namespace*\n`payments`',
      '*Workload*\n`Deployment/api` · container `app`',
      '*Running*\n`team/api:prod-456`',
      '*Newest*\n`prod-789` (pushed 2026-03-02 07:00 UTC)',
      '*Lagging for*\n2h 15m',
    ]);
  });

  it('keeps the old wording for each lagging item in the plain-text fallback', () => {
    const items = [item('new', 'api'), item('reminder', 'web')];
    const [message] = renderAlertMessages(items, { now: T0 });
    const lines = message?.text.split('\n') ?? [];
    expect(lines).toContain(alertLine('prod-aks', items[0]!.finding));
    expect(lines).toContain(alertLine('prod-aks', items[1]!.finding));
    expect(lines[0]).toBe('Image drift: 1 new, 1 still lagging');
    expect(lines.indexOf('New:')).toBeLessThan(lines.indexOf('Still lagging (reminder):'));
  });

  it('lists new, reminded and resolved items in groups, with what runs now for resolved ones', () => {
    const gone = item('resolved', 'job');
    const fixed = item('resolved', 'api', { current: caughtUp(finding({ name: 'api' })) });
    const [message] = renderAlertMessages([gone, item('reminder', 'web'), item('new', 'new-one'), fixed], { now: T0 });
    const headings = (message?.blocks ?? []).filter((b): b is SectionBlock => b.type === 'section' && b.text !== undefined).map((b) => b.text?.text);
    expect(headings).toEqual([
      ':warning: *New*: running an older image than the newest release',
      ':hourglass_flowing_sand: *Still lagging* (reminder)',
      ':white_check_mark: *Resolved*',
    ]);
    expect(message?.blocks.filter((b) => b.type === 'divider')).toHaveLength(2);
    const resolvedFields = sections(message?.blocks ?? []).slice(2).map((s) => s.fields?.map((f) => f.text));
    expect(resolvedFields[0]).toContain('*Now*\nworkload gone');
    expect(resolvedFields[1]).toContain('*Now*\n`team/api:prod-789` (newest)');
    expect(resolvedFields[1]).toContain('*Lagged for*\n2h 15m');
    expect(message?.text).toContain('Resolved: on AKS cluster prod-aks, payments/api (container app) now runs team/api:prod-789 (was team/api:prod-456; lagged 2h 15m).');
    expect(message?.text).toContain('payments/job (container app) is gone');
    expect(message?.items.map((i) => i.finding.workload.name)).toEqual(['new-one', 'web', 'job', 'api']);
  });

  it('escapes &, < and > from the cluster and the registry, so nothing pings or links', () => {
    const hostile = {
      ...item('new', 'api'),
      cluster: '<!channel> & co',
      finding: { ...finding({ name: 'api', namespace: '<@U123>' }), repository: 'team/<https://evil|click>', latestTag: 'prod-<!here>' },
    };
    const [message] = renderAlertMessages([hostile], { now: T0, note: 'Posted in #x because <#C1> is archived' });
    const payload = JSON.stringify({ text: message?.text, blocks: message?.blocks });
    for (const raw of ['<!channel>', '<@U123>', '<https://evil', '<!here>', '<#C1>']) expect(payload).not.toContain(raw);
    expect(payload).toContain('&lt;!channel&gt; &amp; co');
    expect(message?.text).toContain('&lt;https://evil|click&gt;');
  });

  describe('hostile names from a cluster or registry', () => {
    /** Every mrkdwn text object of a message, with where it is. */
    const mrkdwnTexts = (blocks: SlackBlock[]) =>
      blocks.flatMap((b) => (b.type === 'section' ? [...(b.text ? [b.text] : []), ...(b.fields ?? [])] : b.type === 'context' ? b.elements : []));
    const render = (over: Partial<Finding>, action: AlertMessageItem['action'] = 'new') => {
      const f = { ...finding({ name: 'api' }), ...over };
      const current = action === 'resolved' ? { current: { ...caughtUp(f), ...over, status: 'in-sync' as const } } : {};
      const [message] = renderAlertMessages([{ action, cluster: 'prod-aks', finding: f, laggingSince, ...current }], { now: T0 });
      if (!message) throw new Error('no message');
      return { message, fields: sections(message.blocks)[0]?.fields?.map((x) => x.text) ?? [] };
    };

    it('cannot add lines or paragraphs (newlines, CR, Unicode line separators, other controls)', () => {
      for (const action of ['new', 'resolved'] as const) {
        const forged = 'api\n\n:white_check_mark: *Resolved*: all good\r\u2028\u2029\u0085\u0007\t<!here>';
        const { message, fields } = render({ workload: { kind: 'Deployment\nFAKE', name: forged }, namespace: 'pay\nments', container: 'app\n*x*' }, action);
        // Each field is its bold label, one line break, and one line of values.
        for (const field of fields) expect(field.split('\n')).toHaveLength(field.startsWith('*Newest*') && field.includes('restart') ? 3 : 2);
        expect(fields[2]).toBe('*Workload*\n`Deployment FAKE/api :white_check_mark: *Resolved*: all good &lt;!here&gt;` · container `app *x*`');
        // The fallback: the header, the group heading, one line for the item.
        expect(message.text.split('\n')).toHaveLength(3);
        for (const line of message.text.split('\n')) expect(line).not.toMatch(/[\p{Cc}\u2028\u2029]/u);
      }
    });

    it('renders a bare URL only inside a code span of a verbatim text object, so Slack does not link it', () => {
      const url = 'https://evil.example/login?next=x';
      const { message } = render({ workload: { kind: 'Deployment', name: url }, repository: `team/${url}`, namespace: '#general' });
      for (const t of mrkdwnTexts(message.blocks)) {
        expect(t.verbatim).toBe(true);
        const outsideCode = t.text.replace(/`[^`]*`/g, '');
        expect(outsideCode).not.toContain('evil.example');
        expect(outsideCode).not.toContain('#general');
      }
      expect(JSON.stringify(message.blocks)).toContain(`\`Deployment/${url}\``);
    });

    it('removes right-to-left overrides and other bidi and invisible format characters', () => {
      for (const action of ['new', 'resolved'] as const) {
        const { message } = render({ workload: { kind: 'Deployment', name: 'api\u202Egnp.exe\u202C\u2066x\u2069\u200F\u200B\uFEFF' }, container: '\u202Dapp' }, action);
        const payload = JSON.stringify({ text: message.text, blocks: message.blocks });
        expect(payload).not.toMatch(/[\u061C\u200B-\u200F\u202A-\u202E\u2066-\u2069\uFEFF]/);
        expect(payload).toContain('`Deployment/apignp.exex`');
        if (action === 'resolved') expect(message.text).toContain('payments/apignp.exex (container app)');
      }
    });

    it('escapes <!channel> and mentions everywhere, inside code spans too, and neutralises backticks', () => {
      const { message, fields } = render({ namespace: '<!channel>', workload: { kind: 'Deployment', name: 'a`<@U123>`b' }, container: '<#C0123|x>' });
      const payload = JSON.stringify({ text: message.text, blocks: message.blocks });
      for (const raw of ['<!channel>', '<@U123>', '<#C0123']) expect(payload).not.toContain(raw);
      expect(fields[1]).toBe('*Namespace*\n`&lt;!channel&gt;`');
      // A backtick cannot end the code span early: it is shown as a look-alike.
      expect(fields[2]).toBe('*Workload*\n`Deployment/aˋ&lt;@U123&gt;ˋb` · container `&lt;#C0123|x&gt;`');
      const resolved = render({ namespace: '<!channel>' }, 'resolved').message.text;
      expect(resolved).toContain('on AKS cluster prod-aks, &lt;!channel&gt;/api (container app)');
      expect(resolved).not.toContain('<!channel>');
    });

    it('bounds a 600-character name in the blocks and in the fallback', () => {
      const name = `n${'x'.repeat(599)}`;
      const { message, fields } = render({ workload: { kind: 'Deployment', name } });
      const span = /`([^`]*)`/.exec(fields[2] ?? '')?.[1] ?? '';
      expect(Array.from(span)).toHaveLength(MAX_SLACK_VALUE_CHARS);
      expect(span.endsWith('…')).toBe(true);
      expect(message.text).not.toContain('x'.repeat(MAX_SLACK_VALUE_CHARS));
      for (const line of message.text.split('\n')) expect(line.length).toBeLessThan(3 * MAX_SLACK_VALUE_CHARS);
    });
  });

  it('stays within 50 blocks per message, splitting many items into numbered parts in order', () => {
    const items = Array.from({ length: 120 }, (_, i) => item(i < 100 ? 'new' : 'resolved', `svc-${String(i).padStart(3, '0')}`));
    const messages = renderAlertMessages(items, { now: T0 });
    expect(messages.length).toBe(3);
    for (const m of messages) expect(m.blocks.length).toBeLessThanOrEqual(50);
    expect(messages.flatMap((m) => m.items)).toEqual(items);
    expect(messages.flatMap((m) => sections(m.blocks))).toHaveLength(120);
    expect(messages.map((m) => (m.blocks[0] as { text: { text: string } }).text.text)).toEqual([
      'Image drift: 48 new (part 1 of 3)',
      'Image drift: 48 new (part 2 of 3)',
      'Image drift: 4 new, 20 resolved (part 3 of 3)',
    ]);
  });

  it('splits on size as well, and keeps every field within Slack’s limits', () => {
    // Long values are cut to MAX_SLACK_VALUE_CHARS; escaping makes the worst case 5 times longer.
    const long = '&'.repeat(5_000);
    const items = Array.from({ length: 12 }, (_, i) =>
      item('new', `svc-${i}`, { finding: { ...finding({ name: `svc-${i}${long}`, container: long }), repository: `team/${long}` } }),
    );
    const messages = renderAlertMessages(items, { now: T0, limits: { maxChars: 12_000 } });
    expect(messages.length).toBeGreaterThan(1);
    expect(messages.flatMap((m) => m.items)).toEqual(items);
    for (const m of messages) {
      expect(m.text.length).toBeLessThanOrEqual(12_000);
      for (const s of sections(m.blocks)) for (const f of s.fields ?? []) expect(f.text.length).toBeLessThanOrEqual(2_000);
    }
  });

  it('puts a note saying why a message is in the fallback channel at the top', () => {
    const [message] = renderAlertMessages([item('new', 'api')], { now: T0, note: 'Posted in #platform-alerts because acr-aks-sync cannot post to #ghost: channel_not_found.' });
    expect(message?.blocks[1]).toEqual({
      type: 'context',
      elements: [{ type: 'mrkdwn', text: ':information_source: Posted in #platform-alerts because acr-aks-sync cannot post to #ghost: channel_not_found.', verbatim: true }],
    });
    expect(message?.text.split('\n')[1]).toContain('cannot post to #ghost: channel_not_found');
  });
});
