/**
 * Alert state in a JSON file, for the CLI's `--state FILE`: the memory store's map (stateMap.ts,
 * the same conditional semantics as the table), read from the file and written back after each
 * write that succeeded. Operations within one process are serialised; the file is replaced
 * atomically (write to a temporary file, then rename), so a crash never leaves half a file.
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
import { parseStateFile, serializeStateFile } from './stateFile.js';
import { StateMap } from './stateMap.js';
import type { StateSnapshot, StateStore } from './stateStore.js';

export interface FileStateStoreOptions {
  /** The state file (created with its folder on the first write). */
  path: string;
  /** How long a scan waits for another that holds the file (default 60 s). */
  lockWaitMs?: number;
  /** Age after which a lock whose holder stopped refreshing it is taken over (default 30 s). */
  staleMs?: number;
}

const LOCK_RETRY_MS = 250;

export class FileStateStore implements StateStore {
  readonly description: string;
  private readonly path: string;
  private queue: Promise<unknown> = Promise.resolve();
  private readonly lockWaitMs: number;
  private readonly staleMs: number;
  /** Set when the lock was lost while held (taken over as stale): no more writes. */
  private lockLost: Error | null = null;

  constructor(options: FileStateStoreOptions) {
    this.path = options.path;
    this.description = `file ${options.path}`;
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

  private async read(): Promise<StateMap> {
    let text: string;
    try {
      text = await readFile(this.path, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return new StateMap();
      throw new Error(`alert state file ${this.path}: ${(error as Error).message}`);
    }
    return parseStateFile(text, this.path);
  }

  private async write(state: StateMap): Promise<void> {
    if (this.lockLost) throw new Error(`alert state file ${this.path}: this scan lost its lock (${this.lockLost.message}); not writing`);
    await mkdir(dirname(this.path), { recursive: true });
    const temporary = `${this.path}.${process.pid}.${randomUUID()}.tmp`;
    await writeFile(temporary, serializeStateFile(state), 'utf8');
    await rename(temporary, this.path);
  }

  /** Reads the file, makes the change, and writes the file back unless the change lost its race (null or false). */
  private change<T extends string | boolean | null>(write: (state: StateMap) => T): Promise<T> {
    return this.serial(async () => {
      const state = await this.read();
      const written = write(state);
      if (written !== null && written !== false) await this.write(state);
      return written;
    });
  }

  load(clusters: readonly string[]): Promise<StateSnapshot> {
    return this.serial(async () => (await this.read()).snapshot(clusters));
  }

  insert(record: AlertRecord): Promise<string | null> {
    return this.change((state) => state.insert(record));
  }

  replace(record: AlertRecord, etag: string): Promise<string | null> {
    return this.change((state) => state.replace(record, etag));
  }

  remove(key: AlertKey | { id: string }, etag: string): Promise<boolean> {
    return this.change((state) => state.remove(key, etag));
  }
}
