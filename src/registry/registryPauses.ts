/**
 * Per-registry pauses: a registry that answers 429 (or 503) with `Retry-After` gets no request
 * from this scan until the time it asked for has passed, so that the other lookups do not all
 * run into the same throttling. A pause never exceeds MAX_RETRY_AFTER_MS (a longer ask fails
 * the request that got it instead, see registryRetries.ts), and an operation whose time would
 * end during a pause fails at once with a reason instead of waiting.
 */
import { systemClock, type Clock } from '../model/clock.js';
import { abortableSleep } from '../util/abortableSleep.js';
import { formatDuration } from '../util/duration.js';
import { MAX_RETRY_AFTER_MS } from '../util/retryAfter.js';
import type { OperationBudget } from './operationBudget.js';

export class RegistryPauses {
  private readonly until = new Map<string, number>();

  /** `onThrottled` hears of every throttled answer (metrics, the CLI's progress). */
  constructor(
    private readonly now: Clock = systemClock,
    private readonly onThrottled?: (host: string) => void,
  ) {}

  /** `host` answered 429, or 503 with Retry-After: said to `onThrottled`, whether or not it pauses the registry. */
  throttled(host: string): void {
    this.onThrottled?.(host);
  }

  /** Pauses `host` for `ms` (at most MAX_RETRY_AFTER_MS), unless it is paused longer already. */
  pause(host: string, ms: number): void {
    const end = this.now() + Math.min(Math.max(0, ms), MAX_RETRY_AFTER_MS);
    if (end > (this.until.get(host) ?? 0)) this.until.set(host, end);
  }

  /** How long `host` is still paused. */
  remainingMs(host: string): number {
    return Math.max(0, (this.until.get(host) ?? 0) - this.now());
  }

  /** Waits out `host`'s pause within `budget`; throws at once when the pause outlasts it. */
  async wait(host: string, budget: OperationBudget): Promise<void> {
    for (let wait = this.remainingMs(host); wait > 0; wait = this.remainingMs(host)) {
      const left = budget.remainingMs();
      if (wait >= left) {
        throw new Error(`ACR ${host} asked this scan to pause for ${formatDuration(wait)} more (Retry-After), longer than the ${formatDuration(left)} left for the ${budget.label}`);
      }
      budget.activity = `waiting out ACR ${host}'s Retry-After pause`;
      await abortableSleep(wait, budget.signal);
    }
  }
}
