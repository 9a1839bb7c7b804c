/**
 * The CLI's state file (`--state FILE`): `{"version": 1, "alerts": [{"schemaVersion": 1,
 * "record": {...}, "etag": "..."}]}`. Reading sorts its entries as the table store sorts rows
 * (see stateStore.ts): records this version can use, unreadable entries (treated as absent,
 * kept until overwritten or removed) and entries of a newer schema (left as they are). Entries
 * are written back as they were read unless replaced, so nothing this version does not
 * understand is lost by rewriting the file.
 */
import { createHash } from 'node:crypto';
import type { AlertRecord } from '../../model/alert.js';
import { alertId } from '../alertKey.js';
import { readRecord, RECORD_SCHEMA_VERSION } from './recordSchema.js';
import { StateMap, type StateEntry } from './stateMap.js';

const FILE_VERSION = 1;

function keyOf(record: unknown): { id: string; cluster: string } | null {
  if (typeof record !== 'object' || record === null) return null;
  const r = record as Partial<Record<keyof AlertRecord, unknown>>;
  const { cluster, namespace, workloadKind, workloadName, container } = r;
  if ([cluster, namespace, workloadKind, workloadName, container].some((v) => typeof v !== 'string')) return null;
  const key = { cluster, namespace, workloadKind, workloadName, container } as Pick<AlertRecord, 'cluster' | 'namespace' | 'workloadKind' | 'workloadName' | 'container'>;
  return { id: alertId(key), cluster: key.cluster };
}

function readEntry(raw: unknown, index: number): StateEntry {
  const entry = (typeof raw === 'object' && raw !== null ? raw : {}) as { schemaVersion?: unknown; record?: unknown; etag?: unknown };
  // An entry without an ETag of its own gets one that is stable across reads: its content's hash.
  const etag = typeof entry.etag === 'string' ? entry.etag : `sha256:${createHash('sha256').update(JSON.stringify(raw) ?? '').digest('hex')}`;
  const key = keyOf(entry.record);
  // An entry with no usable key can never match an alert: it is known by its place and content.
  const id = key?.id ?? `#${index}:${etag}`;
  const foreign = (kind: 'unreadable' | 'newer', problem: string): StateEntry => ({ kind, raw, row: { id, cluster: key?.cluster ?? '', etag, problem } });
  const version = entry.schemaVersion ?? RECORD_SCHEMA_VERSION;
  if (typeof version === 'number' && version > RECORD_SCHEMA_VERSION) return foreign('newer', `schema version ${version} (this version writes ${RECORD_SCHEMA_VERSION})`);
  if (version !== RECORD_SCHEMA_VERSION) return foreign('unreadable', `schema version ${String(version).slice(0, 20)}`);
  if (!key) return foreign('unreadable', `entry ${index} names no alert`);
  const read = readRecord(entry.record, id);
  return 'record' in read ? { kind: 'alert', stored: { record: read.record, etag } } : foreign('unreadable', read.problem);
}

/** The entries of a state file's text; throws a message naming the file when it is not one. */
export function parseStateFile(text: string, path: string): StateMap {
  let parsed: { version?: unknown; alerts?: unknown };
  try {
    parsed = JSON.parse(text) as typeof parsed;
  } catch {
    throw new Error(`alert state file ${path} is not valid JSON; fix or delete it`);
  }
  const version = parsed?.version;
  if (typeof version === 'number' && version > FILE_VERSION) {
    throw new Error(`alert state file ${path} was written by a newer acr-aks-sync (state file version ${version}; this one reads version ${FILE_VERSION}): use that version, or another --state file`);
  }
  if (version !== FILE_VERSION || !Array.isArray(parsed.alerts)) {
    throw new Error(`alert state file ${path} is not an acr-aks-sync state file (version ${FILE_VERSION})`);
  }
  const entries = new Map<string, StateEntry>();
  parsed.alerts.forEach((raw, index) => {
    let entry = readEntry(raw, index);
    let id = entry.kind === 'alert' ? alertId(entry.stored.record) : entry.row.id;
    if (entries.has(id)) {
      // Two entries for one alert (a hand edit): the first wins; the other is unreadable, known by its place.
      id = `#${index}:duplicate`;
      entry = { kind: 'unreadable', raw, row: { id, cluster: '', etag: id, problem: `entry ${index} repeats another entry's alert` } };
    }
    entries.set(id, entry);
  });
  return new StateMap(entries);
}

export function serializeStateFile(state: StateMap): string {
  const alerts = [...state.entries.values()].map((e) => (e.kind === 'alert' ? { schemaVersion: RECORD_SCHEMA_VERSION, record: e.stored.record, etag: e.stored.etag } : e.raw));
  return `${JSON.stringify({ version: FILE_VERSION, alerts }, null, 2)}\n`;
}
