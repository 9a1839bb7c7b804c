/**
 * How a registry request is tried again, in place of the pipeline's retry policy (which retried
 * 6 times with delays up to 64 s, honoured any Retry-After, and did it all while the lookup held
 * one of the ACR_CONCURRENCY slots):
 * - 5xx, timeouts, requests that got no answer and 429s without `Retry-After` are tried again,
 *   at most MAX_ATTEMPTS times in all; everything else fails at once;
 * - a 429 (or 503) with a `Retry-After` the scan honours pauses the whole registry and is
 *   counted apart, up to MAX_THROTTLED_ANSWERS: it is the registry's flow control, not a
 *   failure: counted with the failures, a quarter of the lookups of a heavily throttled scan gave
 *   up (docs/performance.md, Tag pages);
 * - an operation gives its ACR_CONCURRENCY slot back for every wait (requestSlots.ts);
 * - `Retry-After` is honoured up to MAX_RETRY_AFTER_MS (a 429 or 503 pauses the whole registry,
 *   registryPauses.ts); a longer ask fails the request now, with a reason;
 * - no wait goes past the operation's deadline: a retry that cannot fit fails now, with a reason.
 */
import { isRestError, RestError } from '@azure/core-rest-pipeline';
import { abortableSleep } from '../util/abortableSleep.js';
import { formatDuration } from '../util/duration.js';
import { cappedRetryAfterMs, MAX_RETRY_AFTER_MS, retryAfterMs } from '../util/retryAfter.js';
import { RegistryTimeoutError } from './boundedResponsePolicy.js';
import { describeError } from './describeError.js';
import type { OperationBudget } from './operationBudget.js';
import type { RegistryPauses } from './registryPauses.js';
import type { HeldSlot } from './requestSlots.js';

/** Attempts per request, the first included: enough to ride out a blip, few enough for an incident. */
export const MAX_ATTEMPTS = 4;
/**
 * Throttled answers a request may meet, each followed by the registry-wide pause it asked for
 * (at least that long, at most MAX_RETRY_AFTER_MS, and within the operation's deadline).
 */
export const MAX_THROTTLED_ANSWERS = 10;
/** The wait before the second attempt; doubled before each further one, with jitter. */
const BACKOFF_BASE_MS = 500;
/** Statuses worth another attempt: throttling and the server-side failures that pass. */
const RETRIED_STATUSES = new Set([408, 429, 500, 502, 503, 504]);

export interface RetryScope {
  host: string;
  /** What the request is, for reasons: `tag page 2 of team/app`, `POST /oauth2/token`. */
  what: string;
  budget: OperationBudget;
  pauses: RegistryPauses;
  /** The ACR_CONCURRENCY slot the operation holds, given back during every wait. */
  slot?: HeldSlot;
}

/** Sends with `send` (given the operation's signal) until it succeeds or may not be tried again. */
export async function withRetries<T>(scope: RetryScope, send: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const { budget, pauses, host, slot } = scope;
  const withoutSlot = <W>(wait: () => Promise<W>): Promise<W> => (slot ? slot.without(wait) : wait());
  const counts = { failed: 0, throttled: 0 };
  for (;;) {
    if (pauses.remainingMs(host) > 0) {
      await withoutSlot(() => pauses.wait(host, budget));
      continue; // paused again while it waited for its slot: wait again
    }
    budget.signal.throwIfAborted();
    budget.start();
    budget.activity = `ACR ${host} stopped answering (${scope.what})`;
    let error: unknown;
    try {
      return await send(budget.signal);
    } catch (failure) {
      error = failure;
    }
    const delay = delayBeforeRetry(scope, error, counts);
    if (delay > 0) {
      const left = budget.remainingMs();
      if (delay >= left) {
        throw new Error(`${describeError(error)} (${scope.what}); another attempt would have to wait ${formatDuration(delay)}, longer than the ${formatDuration(left)} left for the ${budget.label}`);
      }
      budget.activity = `it was waiting to try ${scope.what} again after ${describeError(error)}`;
      await withoutSlot(() => abortableSleep(delay, budget.signal));
    }
  }
}

/**
 * The wait before trying again after `error` (0 when a registry pause was set: the next round
 * waits it out), counting the attempt in `counts`; throws when the request is not tried again.
 */
function delayBeforeRetry(scope: RetryScope, error: unknown, counts: { failed: number; throttled: number }): number {
  if (scope.budget.signal.aborted) throw scope.budget.reason;
  if (!isTransient(error)) throw error;
  const status = isRestError(error) ? error.statusCode : undefined;
  const headers = isRestError(error) ? error.response?.headers : undefined;
  const now = scope.budget.now();
  const asked = headers ? cappedRetryAfterMs(headers, MAX_RETRY_AFTER_MS, now) : undefined;
  if (status === 429 || (status === 503 && asked !== undefined)) scope.pauses.throttled(scope.host);
  if (asked === 'too-long') {
    const wait = formatDuration(headers ? (retryAfterMs(headers, now) ?? 0) : 0);
    const what = status === 429 ? 'throttled the request' : `answered HTTP ${status ?? '?'}`;
    throw new Error(`ACR ${scope.host} ${what} (${scope.what}) and asked to wait ${wait}, longer than the ${formatDuration(MAX_RETRY_AFTER_MS)} a scan waits`);
  }
  if (asked !== undefined && (status === 429 || status === 503)) {
    counts.throttled += 1;
    if (counts.throttled >= MAX_THROTTLED_ANSWERS) throw new Error(`${describeError(error)} (${scope.what}; still throttled after ${counts.throttled} answers with Retry-After, each waited out)`);
    scope.pauses.pause(scope.host, asked);
    return 0;
  }
  counts.failed += 1;
  if (counts.failed >= MAX_ATTEMPTS) throw new Error(`${describeError(error)} (${scope.what}; gave up after ${counts.failed} attempts)`);
  return asked ?? backoffMs(counts.failed);
}

/** Worth another attempt: a retried status, a timeout, or a request that got no answer at all. */
export function isTransient(error: unknown): boolean {
  if (error instanceof RegistryTimeoutError) return true;
  if (!isRestError(error)) return false;
  return error.statusCode === undefined ? error.code !== RestError.PARSE_ERROR : RETRIED_STATUSES.has(error.statusCode);
}

function backoffMs(attempt: number): number {
  const ceiling = BACKOFF_BASE_MS * 2 ** (attempt - 1);
  return Math.round(ceiling / 2 + Math.random() * (ceiling / 2));
}
