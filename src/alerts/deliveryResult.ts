/**
 * What one delivery did, counted: what Slack accepted, what was not delivered and why, and the
 * alert state the delivery could not write or read. A delivery that left anything undone is
 * "incomplete" (`deliveryProblem`): the CLI exits 2 and the timer and queue functions fail
 * their invocation, so a silenced alert is never a quiet success.
 */

/** Where an item's delivery went wrong. */
export type DeliveryStage = 'claim' | 'post' | 'commit' | 'release' | 'remove';

export interface DeliveryFailure {
  stage: DeliveryStage;
  /** A short cause: a Slack error code, or the state store's error (never a secret). */
  reason: string;
  items: number;
}

export interface DeliveryResult {
  /** Items Slack accepted (new + reminders + resolved). */
  sent: number;
  new: number;
  reminders: number;
  resolved: number;
  /** Items owed and not delivered (post or claim failed); the next scan retries them. */
  failed: number;
  /** Items whose alert state could not be written (claim, commit, release, removal); each is logged. */
  stateErrors: number;
  /** Why, by stage and cause. */
  failures: DeliveryFailure[];
  /** Slack messages posted. */
  messages: number;
  /** Items another run had claimed or claimed first. */
  skipped: number;
  /** Lagging items with nothing new and no reminder due. */
  unchanged: number;
  /** Items posted to SLACK_CHANNEL because their channel was unavailable. */
  fallbacks: number;
  /** Records dropped without a message (resolved with NOTIFY_RESOLVED off, or never delivered). */
  removedSilently: number;
  /** State rows this version could not read (older, unknown or corrupt): treated as absent. */
  unreadableRows: number;
  /** State rows written by a newer version of the app: left alone, their items not alerted by this run. */
  newerRows: number;
  /** Why the delivery stopped as a whole: the alert state could not be read (or, for a file, locked), so nothing was sent. */
  error?: string;
}

export function emptyDeliveryResult(): DeliveryResult {
  return {
    sent: 0,
    new: 0,
    reminders: 0,
    resolved: 0,
    failed: 0,
    stateErrors: 0,
    failures: [],
    messages: 0,
    skipped: 0,
    unchanged: 0,
    fallbacks: 0,
    removedSilently: 0,
    unreadableRows: 0,
    newerRows: 0,
  };
}

/** What one step of a delivery counted (any of the counts, and its failures); the delivery adds the steps up. */
export type DeliveryCounts = Partial<Omit<DeliveryResult, 'error'>>;

type CountName = Exclude<keyof DeliveryCounts, 'failures'>;

const COUNT_NAMES = Object.keys(emptyDeliveryResult()).filter((name): name is CountName => name !== 'failures');

/** The steps' counts added up; failures of the same stage and reason are one entry, in the order they first occurred. */
export function sumCounts(...steps: readonly DeliveryCounts[]): DeliveryResult {
  const total = emptyDeliveryResult();
  for (const step of steps) {
    for (const name of COUNT_NAMES) total[name] += step[name] ?? 0;
    for (const failure of step.failures ?? []) {
      const same = total.failures.find((f) => f.stage === failure.stage && f.reason === failure.reason);
      if (same) same.items += failure.items;
      else total.failures.push({ ...failure });
    }
  }
  return total;
}

/** One line saying what a delivery left undone, or null when it did everything it planned. */
export function deliveryProblem(result: DeliveryResult): string | null {
  if (result.error !== undefined) return result.error;
  if (result.failed === 0 && result.stateErrors === 0) return null;
  const causes = result.failures.map((f) => `${f.stage} ${f.reason} (${f.items})`).join(', ');
  return `${result.failed} alert item(s) not delivered, ${result.stateErrors} alert state write(s) failed: ${causes}`;
}
