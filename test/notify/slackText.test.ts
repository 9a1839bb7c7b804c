import { describe, expect, it } from 'vitest';
import { shortDigest } from '../../src/model/digest.js';
import { alertLine, escapeSlackText, normaliseChannel } from '../../src/notify/slackText.js';
import { finding } from '../support/sampleReport.js';

describe('Slack text', () => {
  it('keeps the old script wording for drift', () => {
    expect(alertLine('prod-aks', finding({}))).toBe(
      'Warning: AKS cluster prod-aks is running my-repo/service:prod-456 instead of my-repo/service:prod-789 (2026-01-06T16:40:15.123Z).',
    );
  });

  it('names the digest for digest-pinned images and explains stale digests', () => {
    expect(alertLine('prod-aks', finding({ deployedTag: null }))).toContain('running my-repo/service@sha256:111111111111 instead of my-repo/service:prod-789');
    expect(alertLine('prod-aks', finding({ status: 'stale-digest', deployedTag: 'prod-789' }))).toContain('prod-789 now points to sha256:222222222222');
  });

  it('shortens digests exactly as the drift reasons do (one shared function)', () => {
    const odd = 'md5:0123456789abcdef0123';
    expect(alertLine('prod-aks', finding({ deployedTag: null, deployedDigest: odd }))).toContain(`running my-repo/service@${shortDigest(odd)} instead`);
    expect(shortDigest(odd)).toBe('md5:0123456789ab');
    expect(alertLine('prod-aks', finding({ deployedTag: null, deployedDigest: null }))).toContain('running my-repo/service@unknown digest instead');
  });

  it('escapes &, < and > so cluster-supplied text cannot ping or link', () => {
    expect(escapeSlackText('<!channel> & <http://x|y>')).toBe('&lt;!channel&gt; &amp; &lt;http://x|y&gt;');
    expect(alertLine('a<!here>b', finding({}))).toContain('a&lt;!here&gt;b');
  });

  it('prefixes channel names with # and leaves channel IDs alone', () => {
    expect(normaliseChannel('team-a')).toBe('#team-a');
    expect(normaliseChannel('#team-a')).toBe('#team-a');
    expect(normaliseChannel('C0123456789')).toBe('C0123456789');
  });
});
