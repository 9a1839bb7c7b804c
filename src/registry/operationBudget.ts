/**
 * The time one registry operation may take (a repository's lookup, a manifest read, a token
 * request) and the signal that cancels its requests: at its deadline, or when the scan run ends.
 * The operation's promise settles by then (see `run`), whatever its requests are doing.
 */
import { systemClock, type Clock } from '../model/clock.js';
import { formatDuration } from '../util/duration.js';

/**
 * How long one registry request may take, headers and body together (boundedResponsePolicy.ts). ACR
 * answers a page of 1000 tags (~300 KB) in well under a second; 15 s leaves room for a slow
 * network and still allows a retry inside a lookup's deadline.
 */
export const REQUEST_TIMEOUT_MS = 15_000;

/**
 * A lookup's time from its first request to its answer. Well below CLUSTER_TIMEOUT's default
 * of 2m, so that a repository the registry does not answer becomes one `error` finding and the
 * cluster's other findings are still reported.
 */
export const LOOKUP_DEADLINE_MS = 45_000;

/**
 * A token request's time (`/oauth2/exchange` or `/oauth2/token`), retries included: the lookups
 * waiting for the token are answered (with an error) by then at the latest. A lookup's own
 * clock starts at its first request, after its token.
 */
export const TOKEN_DEADLINE_MS = 45_000;

export interface RegistryTimeouts {
  requestMs: number;
  lookupMs: number;
  tokenMs: number;
}

/** The time limits: the constants above, unless a test shortens them. */
export function registryTimeouts(overrides: Partial<RegistryTimeouts> = {}): RegistryTimeouts {
  return { requestMs: REQUEST_TIMEOUT_MS, lookupMs: LOOKUP_DEADLINE_MS, tokenMs: TOKEN_DEADLINE_MS, ...overrides };
}

export class OperationBudget {
  private readonly controller = new AbortController();
  private deadline: number | undefined;
  private timer: NodeJS.Timeout | undefined;
  private readonly detach: () => void;
  /** What the operation is waiting for now: the end of the reason when its time runs out. */
  activity = 'it had not started';
  /** Aborted at the deadline or when the run ends; every request of the operation carries it. */
  readonly signal: AbortSignal = this.controller.signal;

  /** `label` names the operation in reasons, e.g. `lookup of myacr.azurecr.io/team/app`. */
  constructor(
    readonly label: string,
    readonly limitMs: number,
    runSignal?: AbortSignal,
    /** The clock the deadline is read on. */
    readonly now: Clock = systemClock,
  ) {
    const onRunEnd = (): void => this.controller.abort(new Error(`${label} was cancelled: the scan run ended before it finished`));
    if (runSignal?.aborted) onRunEnd();
    else runSignal?.addEventListener('abort', onRunEnd, { once: true });
    this.detach = () => runSignal?.removeEventListener('abort', onRunEnd);
  }

  /** Starts the clock (once): the operation's first request is about to go out. */
  start(): void {
    if (this.deadline !== undefined) return;
    this.deadline = this.now() + this.limitMs;
    this.timer = setTimeout(() => {
      this.controller.abort(new Error(`${this.label} did not finish within ${formatDuration(this.limitMs)}: ${this.activity}`));
    }, this.limitMs);
    this.timer.unref();
  }

  /** Time left; the whole limit before the clock starts. */
  remainingMs(): number {
    return this.deadline === undefined ? this.limitMs : Math.max(0, this.deadline - this.now());
  }

  /** Why the operation was cut short (its deadline or the run's end). */
  get reason(): Error {
    return this.signal.reason as Error;
  }

  /** Stops the clock and lets go of the run's signal. */
  finish(): void {
    clearTimeout(this.timer);
    this.detach();
  }

  /**
   * Runs `work` within this budget: its answer, or a rejection with the reason as soon as the
   * deadline passes or the run ends (the work's requests carry the same signal and are
   * cancelled). Stops the clock when it settles.
   */
  run<T>(work: () => Promise<T>): Promise<T> {
    if (this.signal.aborted) {
      this.finish();
      return Promise.reject(this.reason);
    }
    return new Promise<T>((resolve, reject) => {
      const onAbort = (): void => {
        this.finish();
        reject(this.reason);
      };
      this.signal.addEventListener('abort', onAbort, { once: true });
      work()
        .then(resolve, reject)
        .finally(() => {
          this.signal.removeEventListener('abort', onAbort);
          this.finish();
        });
    });
  }
}
