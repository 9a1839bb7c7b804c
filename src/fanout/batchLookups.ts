/**
 * Registry answers shared by the cluster scans of one timer run (SCAN_FANOUT=queue).
 *
 * Inline, one scan looks every repository up once, however many clusters run it. Fanned out,
 * each cluster is its own scan, so a repository that N clusters run would be looked up N times
 * per timer run. The messages of one timer run carry the same `enqueuedAt`; the scans of those
 * that land on the same instance share one lookup (answers, tokens, concurrency limit), as the
 * clusters of an inline scan do. Scans on other instances look up on their own: the price of
 * spreading out.
 *
 * A lookup serves its run for at most `ttlMs` and is dropped as soon as a newer run's first
 * message arrives, so each timer run sees the registry afresh.
 */
import { silentLogger, type Logger } from '../log/logger.js';
import { systemClock, type Clock } from '../model/clock.js';
import type { TagLookup } from '../registry/tagLookup.js';

export class BatchLookups {
  private batch: { at: number; lookup: TagLookup; createdAt: number } | undefined;
  /** Where the shared lookup logs: the invocation that used it last. */
  private current: Logger;
  private readonly logger: Logger;

  constructor(
    private readonly ttlMs = 10 * 60_000,
    private readonly now: Clock = systemClock,
  ) {
    this.current = silentLogger;
    this.logger = {
      debug: (m, f) => this.current.debug(m, f),
      info: (m, f) => this.current.info(m, f),
      warn: (m, f) => this.current.warn(m, f),
      error: (m, f) => this.current.error(m, f),
    };
  }

  /**
   * The lookup for a scan queued by the timer run at `enqueuedAt` (ISO 8601); `create` makes one
   * (with the logger to use) when this run has none here yet.
   */
  forBatch(enqueuedAt: string, logger: Logger, create: (logger: Logger) => TagLookup): TagLookup {
    this.current = logger;
    const at = Date.parse(enqueuedAt);
    const now = this.now();
    if (this.batch && now - this.batch.createdAt > this.ttlMs) this.batch = undefined;
    if (this.batch?.at === at) return this.batch.lookup;
    if (this.batch && at < this.batch.at) return create(logger); // a late message of an older run: not kept
    this.batch = { at, lookup: create(this.logger), createdAt: now };
    return this.batch.lookup;
  }
}
