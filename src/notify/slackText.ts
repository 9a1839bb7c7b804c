/**
 * Slack message text: the old script's wording, and how text from clusters and registries is
 * made safe to show. Kubernetes checks little about an owner's kind and name (non-empty), and a
 * registry's answers are not ours either, so every such value is cleaned before it reaches
 * Slack: it cannot add a line (newlines, other control characters and Unicode line separators
 * become a space), reorder what is shown (bidi controls and other invisible format characters
 * are removed), run on (cut to MAX_SLACK_VALUE_CHARS), or become a mention or link (`&`, `<`,
 * `>` escaped). Inside Block Kit mrkdwn each value is also a code span (backticks replaced),
 * where Slack applies no formatting, and the text objects are `verbatim`, so Slack does not
 * auto-link URLs or channel names in them.
 */
import { shortDigestOrUnknown } from '../model/digest.js';
import type { Finding } from '../model/finding.js';
import { clipCodePoints } from '../util/text.js';

/**
 * The most characters of one cluster- or registry-supplied value shown in a message: room for
 * any real image reference or name, and two of them escaped (`&` becomes `&amp;`) still fit
 * a Block Kit field (2,000).
 */
export const MAX_SLACK_VALUE_CHARS = 150;

/** Slack treats `<...>` as links and mentions (`<!channel>`); these three must be escaped. */
export function escapeSlackText(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** Invisible format characters: bidi controls (U+202A-E, U+2066-9, marks), zero-width characters, BOM. */
const FORMAT_CHARACTERS = /\p{Cf}/gu;
/** Control characters (newline, tab, C1 controls, DEL) and the Unicode line and paragraph separators. */
const LINE_BREAKS_AND_CONTROLS = /[\p{Cc}\p{Zl}\p{Zp}]+/gu;

/** One line of visible text, at most `max` characters; not yet escaped. */
export function cleanSlackValue(value: string, max: number = MAX_SLACK_VALUE_CHARS): string {
  return clipCodePoints(value.replace(FORMAT_CHARACTERS, '').replace(LINE_BREAKS_AND_CONTROLS, ' '), max);
}

/** A value as plain message text: cleaned and escaped. */
export function plainSlackValue(value: string): string {
  return escapeSlackText(cleanSlackValue(value));
}

/**
 * A value as a mrkdwn code span: cleaned, backticks replaced by a look-alike (a code span
 * cannot contain one, and a stray one would end it), escaped.
 */
export function codeSpan(value: string): string {
  const clean = cleanSlackValue(value).replace(/`/g, 'ˋ');
  return clean.trim() === '' ? '_(empty)_' : `\`${escapeSlackText(clean)}\``;
}

/** `repository:tag`, or `repository@digest` for digest-pinned images, as the old script printed. */
function deployedImage(f: Finding): string {
  if (f.deployedTag) return `${f.repository}:${f.deployedTag}`;
  return `${f.repository}@${shortDigestOrUnknown(f.deployedDigest)}`;
}

/**
 * `Warning: AKS cluster prod-aks is running my-repo/service:prod-456 instead of
 * my-repo/service:prod-789 (2026-01-06T16:40:15.123Z).` — the old job's line, kept so people's
 * filters and habits keep working (so its values are cleaned and escaped, not code spans).
 * Stale digests get a sentence of the same shape.
 */
export function alertLine(cluster: string, f: Finding): string {
  const v = plainSlackValue;
  const pushed = v(String(f.latestUpdatedAt));
  if (f.status === 'stale-digest') {
    return (
      `Warning: AKS cluster ${v(cluster)} is running ${v(`${f.repository}:${f.deployedTag}`)} at ${v(shortDigestOrUnknown(f.deployedDigest))}, ` +
      `but ${v(String(f.latestTag))} now points to ${v(shortDigestOrUnknown(f.latestDigest))} (${pushed}); ` +
      `restart ${v(`${f.namespace}/${f.workload.name}`)} to pick it up.`
    );
  }
  return `Warning: AKS cluster ${v(cluster)} is running ${v(deployedImage(f))} instead of ${v(`${f.repository}:${f.latestTag}`)} (${pushed}).`;
}

/** Channel names get a `#`; channel IDs (C…, G…) are left as they are. */
export function normaliseChannel(channel: string): string {
  if (/^[CGD][A-Z0-9]{8,}$/.test(channel) || channel.startsWith('#')) return channel;
  return `#${channel}`;
}
