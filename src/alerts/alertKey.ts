/**
 * Alert identity: one (cluster, namespace, workload kind, workload name, container). The newest
 * tag it lags behind is the alert's *target*: a newer target is a new alert for the same key.
 *
 * Everything but the cluster comes from the cluster, and Kubernetes checks little: an owner
 * reference's kind and name need only be non-empty, so a pod can name an owner of any length
 * and content. Keys must nevertheless always be valid Azure Table keys (at most 1 KiB, that is
 * 512 UTF-16 characters; no `/ \ # ?` and no control characters) and never let two alerts
 * collide, whatever a cluster contains:
 *
 * - key parts: a value longer than MAX_KEY_PART_CHARS (the longest Kubernetes object name) is
 *   replaced by its first MAX_KEY_PART_CHARS characters, `…sha256:` and the SHA-256 of the
 *   whole value. Such a form is longer than any value kept as it is, so the two never meet, and
 *   the records' columns stay readable and bounded.
 * - table keys: each part is encoded readably (letters, digits, `.` and `-` kept, every other
 *   character `~XX` per UTF-8 byte; `_` separates the parts of a row key, which the encoding
 *   never produces, so the encoding is injective). An encoded key longer than
 *   MAX_TABLE_KEY_CHARS becomes a readable prefix, `!` and the SHA-256 of the whole encoded
 *   key: `!` never occurs in the readable encoding, so a hashed key never equals a readable one.
 */
import { createHash } from 'node:crypto';
import type { AlertKey } from '../model/alert.js';
import type { Finding } from '../model/finding.js';

/** The longest name Kubernetes gives an object (a DNS subdomain): real names are never cut. */
export const MAX_KEY_PART_CHARS = 253;

/**
 * The longest table key written: under Azure's 512 characters with room to spare, since point
 * operations carry both keys in the request URL.
 */
export const MAX_TABLE_KEY_CHARS = 400;

function sha256Hex(value: string): string {
  return createHash('sha256').update(value, 'utf8').digest('hex');
}

/** A key part bounded to a readable prefix plus a hash of the whole value when it is longer. */
export function boundedKeyPart(value: string): string {
  const points = Array.from(value);
  if (points.length <= MAX_KEY_PART_CHARS) return value;
  return `${points.slice(0, MAX_KEY_PART_CHARS).join('')}…sha256:${sha256Hex(value)}`;
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

/** An encoded key as written to the table: as it is when short enough, else prefix `!` hash. */
function tableKey(encoded: string): string {
  if (encoded.length <= MAX_TABLE_KEY_CHARS) return encoded;
  const hash = sha256Hex(encoded);
  let prefix = encoded.slice(0, MAX_TABLE_KEY_CHARS - hash.length - 1);
  // Keep the prefix decodable: never end inside a `~XX` escape.
  const tilde = prefix.lastIndexOf('~');
  if (tilde !== -1 && tilde > prefix.length - 3) prefix = prefix.slice(0, tilde);
  return `${prefix}!${hash}`;
}

/** The table partition key: one partition per cluster. */
export function partitionKeyFor(cluster: string): string {
  return tableKey(encodeKeyPart(cluster));
}

/** The table row key: namespace, kind, name and container within the cluster's partition. */
export function rowKeyFor(key: Omit<AlertKey, 'cluster'>): string {
  return tableKey([key.namespace, key.workloadKind, key.workloadName, key.container].map(encodeKeyPart).join('_'));
}

/**
 * A table key made of several parts in the same encoding (parts joined with `_`), for other rows
 * of the app's table (push/): as readable, as injective and as bounded as the alert keys.
 */
export function tableKeyOf(parts: readonly string[]): string {
  return tableKey(parts.map(encodeKeyPart).join('_'));
}

/** A stable, printable id: `<partition key>/<row key>`. */
export function alertId(key: AlertKey): string {
  return `${partitionKeyFor(key.cluster)}/${rowKeyFor(key)}`;
}

/** The id of an alert key, or of a row known only by its id. */
export function idOf(key: AlertKey | { id: string }): string {
  return 'id' in key ? key.id : alertId(key);
}

/** The table keys in an id (a partition key never contains `/`). */
export function tableKeysOf(id: string): { partitionKey: string; rowKey: string } {
  const slash = id.indexOf('/');
  return { partitionKey: id.slice(0, slash), rowKey: id.slice(slash + 1) };
}

/** The alert key of a finding: the cluster as configured, the other parts bounded. */
export function alertKeyOf(cluster: string, finding: Pick<Finding, 'namespace' | 'workload' | 'container'>): AlertKey {
  return {
    cluster,
    namespace: boundedKeyPart(finding.namespace),
    workloadKind: boundedKeyPart(finding.workload.kind),
    workloadName: boundedKeyPart(finding.workload.name),
    container: boundedKeyPart(finding.container),
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
