/**
 * Alert state in a JSON file, for the CLI's `--state FILE`: the same conditional semantics as
 * the table (ETags), so the delivery code is the same. Operations within one process are
 * serialised; the file is replaced atomically (write to a temporary file, then rename), so a
 * crash never leaves half a file.
 *
 * Across processes a read-modify-write of the whole file is not atomic: two overlapping scans
 * sharing one file each read it, and the second rename loses the first's records, so both
 * send the same alerts. A delivery therefore holds a lock on the file from reading the state
 * to its last write (`exclusive`); a second scan waits for it, at most `lockWaitMs`, then
 * refuses with a message naming the file (and sends nothing, exit code 2).
 *
 * The lock is proper-lockfile's (a `FILE.lock` directory, created atomically by mkdir, whose
 * mtime the holder refreshes): it works on local and network file systems, and a lock whose
 * holder died is taken over once it is `staleMs` old, so a crashed scan blocks the next ones
 * for that long at most. A hand-made O_EXCL lock file would need the same staleness rules.
 */
import { randomUUID } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { lock } from 'proper-lockfile';
import type { AlertKey, AlertRecord } from '../../model/alert.js';
import { formatDuration } from '../../util/duration.js';
import { alertId, idOf } from '../alertKey.js';
import { parseStateFile, serializeStateFile, type FileEntry, type StateFileEntries } from './stateFile.js';
import type { StateSnapshot, StateStore } from './stateStore.js';

export interface FileStateStoreOptions {
  /** How long a scan waits for another that holds the file (default 60 s). */
  lockWaitMs?: number;
  /** Age after which a lock whose holder stopped refreshing it is taken over (default 30 s). */
  staleMs?: number;
}

const LOCK_RETRY_MS = 250;

export class FileStateStore implements StateStore {
  readonly description: string;
  private queue: Promise<unknown> = Promise.resolve();
  private readonly lockWaitMs: number;
  private readonly staleMs: number;
  /** Set when the lock was lost while held (taken over as stale): no more writes. */
  private lockLost: Error | null = null;

  constructor(
    private readonly path: string,
    options: FileStateStoreOptions = {},
  ) {
    this.description = `file ${path}`;
    this.lockWaitMs = options.lockWaitMs ?? 60_000;
    this.staleMs = options.staleMs ?? 30_000;
  }

  async exclusive<T>(work: () => Promise<T>): Promise<T> {
    const lockPath = `${this.path}.lock`;
    let release: () => Promise<void>;
    try {
      await mkdir(dirname(this.path), { recursive: true });
      release = await lock(this.path, {
        realpath: false,
        lockfilePath: lockPath,
        stale: this.staleMs,
        update: Math.floor(this.staleMs / 3),
        retries: { retries: Math.ceil(this.lockWaitMs / LOCK_RETRY_MS), factor: 1, minTimeout: LOCK_RETRY_MS, maxTimeout: LOCK_RETRY_MS },
        onCompromised: (error) => {
          this.lockLost = error;
        },
      });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ELOCKED') {
        throw new Error(
          `alert state file ${this.path} is in use by another acr-aks-sync scan (lock ${lockPath}); waited ${formatDuration(this.lockWaitMs)}. ` +
            'Run one scan at a time per --state file; a lock left by a scan that died is taken over after ' +
            `${formatDuration(this.staleMs)}.`,
        );
      }
      throw new Error(`alert state file ${this.path} could not be locked: ${(error as Error).message}`);
    }
    try {
      return await work();
    } finally {
      await release().catch(() => undefined);
    }
  }

  /** Runs `work` after every earlier operation of this store. */
  private serial<T>(work: () => Promise<T>): Promise<T> {
    const run = this.queue.then(work, work);
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async read(): Promise<StateFileEntries> {
    let text: string;
    try {
      text = await readFile(this.path, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return new Map();
      throw new Error(`alert state file ${this.path}: ${(error as Error).message}`);
    }
    return parseStateFile(text, this.path);
  }

  private async write(entries: StateFileEntries): Promise<void> {
    if (this.lockLost) throw new Error(`alert state file ${this.path}: this scan lost its lock (${this.lockLost.message}); not writing`);
    await mkdir(dirname(this.path), { recursive: true });
    const temporary = `${this.path}.${process.pid}.${randomUUID()}.tmp`;
    await writeFile(temporary, serializeStateFile(entries), 'utf8');
    await rename(temporary, this.path);
  }

  load(clusters: readonly string[]): Promise<StateSnapshot> {
    const wanted = new Set(clusters);
    return this.serial(async () => {
      const snapshot: StateSnapshot = { alerts: [], unreadable: [], newer: [] };
      for (const entry of (await this.read()).values()) {
        if (entry.kind === 'alert') {
          if (wanted.has(entry.stored.record.cluster)) snapshot.alerts.push(entry.stored);
        } else if (entry.row.cluster === '' || wanted.has(entry.row.cluster)) {
          // An entry that names no cluster is shown to every scan, so that it is reported and cleared.
          snapshot[entry.kind].push(entry.row);
        }
      }
      return snapshot;
    });
  }

  /** The ETag of whatever is at `id`, readable or not; a newer schema's entry is never written over. */
  private static etagAt(entry: FileEntry | undefined): string | undefined {
    if (!entry) return undefined;
    if (entry.kind === 'alert') return entry.stored.etag;
    return entry.kind === 'unreadable' ? entry.row.etag : undefined;
  }

  insert(record: AlertRecord): Promise<string | null> {
    return this.serial(async () => {
      const entries = await this.read();
      const id = alertId(record);
      if (entries.has(id)) return null;
      const etag = randomUUID();
      entries.set(id, { kind: 'alert', stored: { record, etag } });
      await this.write(entries);
      return etag;
    });
  }

  replace(record: AlertRecord, etag: string): Promise<string | null> {
    return this.serial(async () => {
      const entries = await this.read();
      const id = alertId(record);
      if (FileStateStore.etagAt(entries.get(id)) !== etag) return null;
      const next = randomUUID();
      entries.set(id, { kind: 'alert', stored: { record, etag: next } });
      await this.write(entries);
      return next;
    });
  }

  remove(key: AlertKey | { id: string }, etag: string): Promise<boolean> {
    return this.serial(async () => {
      const entries = await this.read();
      const id = idOf(key);
      if (FileStateStore.etagAt(entries.get(id)) !== etag) return false;
      entries.delete(id);
      await this.write(entries);
      return true;
    });
  }
}
