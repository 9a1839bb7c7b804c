/**
 * Alert state in a JSON file, for the CLI's `--state FILE`: the same conditional semantics as
 * the table (ETags), so the delivery code is the same. Operations within one process are
 * serialised; the file is replaced atomically (write to a temporary file, then rename), so a
 * crash never leaves half a file. It is not meant for several processes sharing one file.
 */
import { randomUUID } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { alertId, type AlertKey } from './alertKey.js';
import type { AlertRecord, StateStore, StoredAlert } from './stateStore.js';

interface StateFile {
  version: 1;
  alerts: StoredAlert[];
}

export class FileStateStore implements StateStore {
  readonly description: string;
  private queue: Promise<unknown> = Promise.resolve();

  constructor(private readonly path: string) {
    this.description = `file ${path}`;
  }

  /** Runs `work` after every earlier operation of this store. */
  private serial<T>(work: () => Promise<T>): Promise<T> {
    const run = this.queue.then(work, work);
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async read(): Promise<Map<string, StoredAlert>> {
    let text: string;
    try {
      text = await readFile(this.path, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return new Map();
      throw new Error(`alert state file ${this.path}: ${(error as Error).message}`);
    }
    let parsed: StateFile;
    try {
      parsed = JSON.parse(text) as StateFile;
    } catch {
      throw new Error(`alert state file ${this.path} is not valid JSON; fix or delete it`);
    }
    if (parsed?.version !== 1 || !Array.isArray(parsed.alerts)) {
      throw new Error(`alert state file ${this.path} is not an acr-aks-sync state file (version 1)`);
    }
    return new Map(parsed.alerts.map((a) => [alertId(a.record), a]));
  }

  private async write(alerts: Map<string, StoredAlert>): Promise<void> {
    const file: StateFile = { version: 1, alerts: [...alerts.values()] };
    await mkdir(dirname(this.path), { recursive: true });
    const temporary = `${this.path}.${process.pid}.${randomUUID()}.tmp`;
    await writeFile(temporary, `${JSON.stringify(file, null, 2)}\n`, 'utf8');
    await rename(temporary, this.path);
  }

  load(clusters: readonly string[]): Promise<StoredAlert[]> {
    const wanted = new Set(clusters);
    return this.serial(async () => [...(await this.read()).values()].filter((a) => wanted.has(a.record.cluster)));
  }

  insert(record: AlertRecord): Promise<string | null> {
    return this.serial(async () => {
      const alerts = await this.read();
      const id = alertId(record);
      if (alerts.has(id)) return null;
      const etag = randomUUID();
      alerts.set(id, { record, etag });
      await this.write(alerts);
      return etag;
    });
  }

  replace(record: AlertRecord, etag: string): Promise<string | null> {
    return this.serial(async () => {
      const alerts = await this.read();
      const id = alertId(record);
      if (alerts.get(id)?.etag !== etag) return null;
      const next = randomUUID();
      alerts.set(id, { record, etag: next });
      await this.write(alerts);
      return next;
    });
  }

  remove(key: AlertKey, etag: string): Promise<boolean> {
    return this.serial(async () => {
      const alerts = await this.read();
      const id = alertId(key);
      if (alerts.get(id)?.etag !== etag) return false;
      alerts.delete(id);
      await this.write(alerts);
      return true;
    });
  }
}
