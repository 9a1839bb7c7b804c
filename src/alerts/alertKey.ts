/**
 * Alert identity: one (cluster, namespace, workload kind, workload name, container). The newest
 * tag it lags behind is the alert's *target*: a newer target is a new alert for the same key.
 *
 * Keys are encoded so that they are valid Azure Table keys (no `/ \ # ?`, no control
 * characters) and stay readable for ordinary Kubernetes names: letters, digits, `.` and `-` are
 * kept, every other character becomes `~XX` (its UTF-8 bytes in hex). `_` separates the parts of
 * a row key, which the encoding never produces, so the encoding is injective.
 */
import type { Finding } from '../report/types.js';

export interface AlertKey {
  cluster: string;
  namespace: string;
  workloadKind: string;
  workloadName: string;
  container: string;
}

/** Encodes one key part: `[A-Za-z0-9.-]` kept, anything else `~XX` per UTF-8 byte. */
export function encodeKeyPart(value: string): string {
  let out = '';
  for (const char of value) {
    if (/^[A-Za-z0-9.-]$/.test(char)) {
      out += char;
    } else {
      for (const byte of Buffer.from(char, 'utf8')) out += `~${byte.toString(16).toUpperCase().padStart(2, '0')}`;
    }
  }
  // An empty part would make `a__b` ambiguous with nothing; `~` alone never occurs otherwise.
  return out === '' ? '~' : out;
}

export function decodeKeyPart(encoded: string): string {
  if (encoded === '~') return '';
  const bytes: number[] = [];
  for (let i = 0; i < encoded.length; ) {
    if (encoded[i] === '~') {
      bytes.push(Number.parseInt(encoded.slice(i + 1, i + 3), 16));
      i += 3;
    } else {
      bytes.push(encoded.charCodeAt(i));
      i += 1;
    }
  }
  return Buffer.from(bytes).toString('utf8');
}

/** The table partition key: one partition per cluster. */
export function partitionKeyFor(cluster: string): string {
  return encodeKeyPart(cluster);
}

/** The table row key: namespace, kind, name and container within the cluster's partition. */
export function rowKeyFor(key: Omit<AlertKey, 'cluster'>): string {
  return [key.namespace, key.workloadKind, key.workloadName, key.container].map(encodeKeyPart).join('_');
}

/** A stable, printable id: `<partition key>/<row key>`. */
export function alertId(key: AlertKey): string {
  return `${partitionKeyFor(key.cluster)}/${rowKeyFor(key)}`;
}

export function alertKeyOf(cluster: string, finding: Pick<Finding, 'namespace' | 'workload' | 'container'>): AlertKey {
  return {
    cluster,
    namespace: finding.namespace,
    workloadKind: finding.workload.kind,
    workloadName: finding.workload.name,
    container: finding.container,
  };
}

/** Whether a finding is something to alert about. */
export function isLagging(finding: Pick<Finding, 'status'>): boolean {
  return finding.status === 'drift' || finding.status === 'stale-digest';
}

/**
 * What the alert points people to. For drift: the newest tag. For a stale digest the tag is the
 * one already deployed, so the newest digest under it is what changes: a re-push is news.
 */
export function alertTarget(finding: Pick<Finding, 'status' | 'latestTag' | 'latestDigest'>): string {
  const tag = finding.latestTag ?? '';
  return finding.status === 'stale-digest' ? `${tag}@${finding.latestDigest ?? ''}` : tag;
}
