/** Slack message text: the old script's wording, with cluster- and registry-supplied text escaped. */
import { shortDigest } from '../drift/decide.js';
import type { Finding } from '../report/types.js';

/** Slack treats `<...>` as links and mentions (`<!channel>`); these three must be escaped. */
export function escapeSlackText(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** The short form of a digest in messages (`sha256:0123456789ab`), or `unknown digest`. */
export function shortDigestOrUnknown(digest: string | null): string {
  return digest ? shortDigest(digest) : 'unknown digest';
}

/** `repository:tag`, or `repository@digest` for digest-pinned images, as the old script printed. */
function deployedImage(f: Finding): string {
  if (f.deployedTag) return `${f.repository}:${f.deployedTag}`;
  return `${f.repository}@${shortDigestOrUnknown(f.deployedDigest)}`;
}

/**
 * `Warning: AKS cluster prod-aks is running my-repo/service:prod-456 instead of
 * my-repo/service:prod-789 (2026-01-06T16:40:15.123Z).` — the old job's line, kept so people's
 * filters and habits keep working. Stale digests get a sentence of the same shape.
 */
export function alertLine(cluster: string, f: Finding): string {
  const e = escapeSlackText;
  if (f.status === 'stale-digest') {
    return e(
      `Warning: AKS cluster ${cluster} is running ${f.repository}:${f.deployedTag} at ${shortDigestOrUnknown(f.deployedDigest)}, but ${f.latestTag} now points to ${shortDigestOrUnknown(f.latestDigest)} (${f.latestUpdatedAt}); restart ${f.namespace}/${f.workload.name} to pick it up.`,
    );
  }
  return e(`Warning: AKS cluster ${cluster} is running ${deployedImage(f)} instead of ${f.repository}:${f.latestTag} (${f.latestUpdatedAt}).`);
}

/** Channel names get a `#`; channel IDs (C…, G…) are left as they are. */
export function normaliseChannel(channel: string): string {
  if (/^[CGD][A-Z0-9]{8,}$/.test(channel) || channel.startsWith('#')) return channel;
  return `#${channel}`;
}
