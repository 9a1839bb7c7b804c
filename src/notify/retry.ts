/**
 * Posting with retries inside one scan: HTTP 429 waits exactly what `Retry-After` says;
 * 5xx answers and connections that could not be opened back off exponentially (1 s, 2 s,
 * 4 s, ... up to `maxDelayMs`) for at most `maxAttempts` attempts: Slack did not take the post.
 *
 * A post that got no answer (a timeout, a connection lost after sending) may have been
 * accepted, and every retry may then post a copy: after it, at most `maxRetriesAfterNoAnswer`
 * more attempts (one) are made in the scan, whatever their failures, with the longer
 * `retryTimeoutMs`, so that a slow Slack answers rather than times out again. A scan thus
 * posts a message at most twice.
 *
 * All waits of a scan share one budget, so a Slack outage cannot hold the scan (and its alert
 * claims) for long: when the next wait would overrun it, the post fails and its alerts are
 * retried by the next scan.
 */
import type { Logger } from '../log/logger.js';
import { abortableSleep } from '../util/abortableSleep.js';
import { asSlackPostError } from './slackErrors.js';
import type { PostReceipt, SlackMessage, SlackPostError, SlackSender } from './slackSender.js';

export type Sleep = (ms: number) => Promise<void>;

export const realSleep: Sleep = (ms) => abortableSleep(ms);

export interface RetryPolicy {
  /** Attempts for failures without Retry-After (timeouts, network, 5xx). */
  maxAttempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
  /** 429 answers honoured per message before giving up (each waits its Retry-After). */
  maxRateLimitWaits: number;
  /** Retries of a post that got no answer and may have landed (each may post a copy). */
  maxRetriesAfterNoAnswer: number;
  /** The timeout of such a retry (the sender's own applies to first attempts). */
  retryTimeoutMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  maxAttempts: 4,
  baseDelayMs: 1_000,
  maxDelayMs: 30_000,
  maxRateLimitWaits: 10,
  maxRetriesAfterNoAnswer: 1,
  retryTimeoutMs: 30_000,
};

/** Default total waiting per scan: well inside the 5-minute alert claim. */
export const DEFAULT_RETRY_BUDGET_MS = 120_000;

/** The waiting time left to a scan. */
export class RetryBudget {
  private remaining: number;

  constructor(totalMs: number) {
    this.remaining = totalMs;
  }

  get remainingMs(): number {
    return this.remaining;
  }

  /** Takes `ms` if that much is left. */
  take(ms: number): boolean {
    if (ms > this.remaining) return false;
    this.remaining -= ms;
    return true;
  }
}

export interface RetryContext {
  policy: RetryPolicy;
  budget: RetryBudget;
  sleep: Sleep;
  logger: Logger;
}

export async function postWithRetry(sender: SlackSender, message: SlackMessage, context: RetryContext): Promise<PostReceipt> {
  const { policy, budget, sleep, logger } = context;
  let failures = 0;
  let rateLimits = 0;
  /** Attempts left in this scan once a post got no answer (null until one did). */
  let afterNoAnswer: number | null = null;
  let timeoutMs: number | undefined;
  for (;;) {
    let error: SlackPostError;
    try {
      return await sender.post(message, timeoutMs !== undefined ? { timeoutMs } : {});
    } catch (caught) {
      error = asSlackPostError(caught);
    }
    if (error.kind !== 'retryable') throw error;
    if (error.mayHaveLanded && afterNoAnswer === null) {
      afterNoAnswer = policy.maxRetriesAfterNoAnswer;
      timeoutMs = policy.retryTimeoutMs;
    }
    if (afterNoAnswer !== null) {
      if (afterNoAnswer <= 0) {
        logger.warn('Slack post may have been posted already (no answer); not retried again in this scan', { channel: message.channel, code: error.code });
        throw error;
      }
      afterNoAnswer -= 1;
    }
    let wait: number;
    if (error.retryAfterMs !== undefined) {
      rateLimits += 1;
      if (rateLimits > policy.maxRateLimitWaits) throw error;
      wait = error.retryAfterMs;
    } else {
      failures += 1;
      if (failures >= policy.maxAttempts) throw error;
      wait = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (failures - 1));
    }
    if (!budget.take(wait)) {
      logger.warn('Slack post: no time left to retry in this scan; the next scan retries', { channel: message.channel, code: error.code, waitMs: wait });
      throw error;
    }
    logger.warn('Slack post failed; retrying', { via: sender.kind, channel: message.channel, code: error.code, waitMs: wait });
    await sleep(wait);
  }
}
