/**
 * What stands between an authorised data read and its answer: `throttleNext` and `failNext`
 * counts, and the `readRateLimit` token bucket that holds at most one second's worth of reads,
 * like ACR's ReadOps limit.
 */

export type ReadRefusal = { kind: 'throttled'; retryAfterSeconds: number } | { kind: 'failed'; status: number };

export class ReadGate {
  private throttle = { count: 0, retryAfterSeconds: 1 };
  private failure = { count: 0, status: 500 };
  private bucket: { reads: number; at: number };

  constructor(private readonly readRateLimit: { perSecond: number } | undefined) {
    this.bucket = { reads: readRateLimit?.perSecond ?? 0, at: Date.now() };
  }

  throttleNext(count: number, retryAfterSeconds: number): void {
    this.throttle = { count, retryAfterSeconds };
  }

  failNext(count: number, status: number): void {
    this.failure = { count, status };
  }

  /** Counts one read; how it is refused, when it is. */
  take(): ReadRefusal | undefined {
    let retryAfter: number | undefined;
    if (this.throttle.count > 0) {
      this.throttle.count -= 1;
      retryAfter = this.throttle.retryAfterSeconds;
    } else if (this.readRateLimit) {
      retryAfter = this.takeFromBucket(this.readRateLimit.perSecond);
    }
    if (retryAfter !== undefined) return { kind: 'throttled', retryAfterSeconds: retryAfter };
    if (this.failure.count > 0) {
      this.failure.count -= 1;
      return { kind: 'failed', status: this.failure.status };
    }
    return undefined;
  }

  /** Takes one read from the bucket; the Retry-After seconds when it is empty. */
  private takeFromBucket(perSecond: number): number | undefined {
    const now = Date.now();
    this.bucket = { reads: Math.min(perSecond, this.bucket.reads + ((now - this.bucket.at) / 1000) * perSecond), at: now };
    if (this.bucket.reads >= 1) {
      this.bucket.reads -= 1;
      return undefined;
    }
    return Math.max(1, Math.ceil((1 - this.bucket.reads) / perSecond));
  }
}
