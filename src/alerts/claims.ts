/**
 * The alert state a delivery writes, one item at a time: claim before posting, then advance
 * (commit) what Slack accepted or give back (release) what it did not, and drop records that
 * need no message. Every write is conditional (see state/stateStore.ts); a lost race is not an error.
 *
 * One item's failure is that item's: a write that fails for any other reason (an HTTP 400 for
 * a value the store will not take, a network error) is counted and logged at error level with
 * the item's id, and every other item goes on.
 */
import type { Logger } from '../log/logger.js';
import type { AlertClaim, AlertRecord } from '../model/alert.js';
import type { Clock } from '../model/clock.js';
import type { PostReceipt } from '../notify/slackSender.js';
import { alertId } from './alertKey.js';
import { recordFailure, type DeliveryResult, type DeliveryStage } from './deliveryResult.js';
import type { PlannedAlert } from './lifecycle.js';
import type { ForeignRow, StateStore, StoredAlert } from './state/stateStore.js';

export interface Claimed {
  planned: PlannedAlert;
  /** The claim as written, and its ETag. */
  record: AlertRecord;
  etag: string;
}

export interface AlertStateWriterOptions {
  store: StateStore;
  logger: Logger;
  result: DeliveryResult;
  now: Clock;
  /** Bounds the store operations in flight. */
  limit: <T>(task: () => Promise<T>) => Promise<T>;
}

/** How the message that carried the items was posted. */
export interface PostedVia {
  /** A top-level message (its `ts` starts a thread), not a thread reply. */
  topLevel: boolean;
  /** Posted to SLACK_CHANNEL because the item's channel was unavailable. */
  fallback: boolean;
}

export class AlertStateWriter {
  constructor(private readonly options: AlertStateWriterOptions) {}

  /** Counts and logs one item whose state could not be written. */
  private failed(stage: DeliveryStage, item: string, error: unknown): void {
    const { result, logger } = this.options;
    const reason = error instanceof Error ? error.message : String(error);
    result.stateErrors += 1;
    recordFailure(result, stage, reason);
    logger.error(`alert state: ${stage} failed for one item; the other items go on`, { item, reason });
  }

  private each<T>(items: readonly T[], work: (item: T) => Promise<void>): Promise<void> {
    return Promise.all(items.map((item) => this.options.limit(() => work(item)))).then(() => undefined);
  }

  /** Deletes records that need no message (resolved silently, or never delivered and over). */
  removeSilently(records: readonly StoredAlert[]): Promise<void> {
    const { store, result } = this.options;
    return this.each(records, async (s) => {
      try {
        if (await store.remove(s.record, s.etag)) result.removedSilently += 1;
      } catch (error) {
        this.failed('remove', alertId(s.record), error);
      }
    });
  }

  /** Removes rows the store could not read and no lagging workload overwrites. */
  removeUnreadable(rows: readonly ForeignRow[]): Promise<void> {
    return this.each(rows, async (row) => {
      try {
        await this.options.store.remove({ id: row.id }, row.etag);
      } catch (error) {
        this.failed('remove', row.id, error);
      }
    });
  }

  /** Claims each planned item; those another run holds are skipped, those that fail are counted as not delivered. */
  async claim(deliveries: readonly PlannedAlert[], claim: AlertClaim): Promise<Claimed[]> {
    const { store, result } = this.options;
    const claimed: Claimed[] = [];
    await this.each(deliveries, async (planned) => {
      const record: AlertRecord = { ...planned.record, claim };
      let etag: string | null;
      try {
        const over = planned.previous?.etag ?? planned.overwrites;
        etag = over !== undefined ? await store.replace(record, over) : await store.insert(record);
      } catch (error) {
        result.failed += 1;
        this.failed('claim', planned.id, error);
        return;
      }
      if (etag === null) result.skipped += 1;
      else claimed.push({ planned, record, etag });
    });
    // Keep the plan's order (the store answers in any order).
    const order = new Map(deliveries.map((d, i) => [d, i]));
    return claimed.sort((a, b) => (order.get(a.planned) ?? 0) - (order.get(b.planned) ?? 0));
  }

  /** State after Slack accepted the items: advance (new, reminder) or delete (resolved). */
  commit(items: readonly Claimed[], receipt: PostReceipt, via: PostedVia): Promise<void> {
    const { store, result, logger, now } = this.options;
    return this.each(items, async (c) => {
      const { action } = c.planned;
      result.sent += 1;
      if (action === 'resolved') result.resolved += 1;
      else if (action === 'new') result.new += 1;
      else result.reminders += 1;
      if (via.fallback) result.fallbacks += 1;
      let ok: boolean;
      try {
        if (action === 'resolved') {
          ok = await store.remove(c.record, c.etag);
        } else {
          const newThread = via.topLevel && receipt.channelId && receipt.ts ? { channelId: receipt.channelId, ts: receipt.ts } : null;
          const next: AlertRecord = {
            ...c.record,
            announcedTarget: action === 'new' ? c.record.target : c.record.announcedTarget,
            lastSentAt: new Date(now()).toISOString(),
            // A new alert starts a thread; a reminder that had to go top-level starts one too.
            thread: action === 'new' ? newThread : (newThread ?? c.record.thread),
            claim: null,
          };
          ok = (await store.replace(next, c.etag)) !== null;
        }
      } catch (error) {
        this.failed('commit', c.planned.id, error);
        return;
      }
      if (!ok) logger.warn('alert state changed while this run held its claim (the claim expired?); it may be sent again', { cluster: c.record.cluster, item: c.planned.id });
    });
  }

  /** Gives items back after a failed post: the state is as before, and the next scan retries. */
  release(items: readonly Claimed[]): Promise<void> {
    const { store } = this.options;
    return this.each(items, async (c) => {
      const restored: AlertRecord = c.planned.previous ? { ...c.planned.previous.record, claim: null } : { ...c.record, claim: null };
      try {
        await store.replace(restored, c.etag);
      } catch (error) {
        // The claim still expires by itself, so the next scan after that retries the item.
        this.failed('release', c.planned.id, error);
      }
    });
  }
}
