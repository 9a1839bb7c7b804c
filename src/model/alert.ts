/**
 * An alert: one (cluster, namespace, workload kind, workload name, container) that runs an older
 * image than the newest release (alerts/alertKey.ts), and what is remembered about it between
 * scans (alerts/state/).
 */
import type { Finding } from './finding.js';

/** What a message says about an alert: it is new, still lagging, or resolved. */
export type AlertAction = 'new' | 'reminder' | 'resolved';

/** The identity of an alert. */
export interface AlertKey {
  cluster: string;
  namespace: string;
  workloadKind: string;
  workloadName: string;
  container: string;
}

export interface SlackThread {
  /** Channel ID the first message landed in (after any fallback). */
  channelId: string;
  /** `ts` of that message: reminders and the resolved notice reply to it. */
  ts: string;
}

export interface AlertClaim {
  /** Random id of the delivery run that holds the claim. */
  owner: string;
  /** ISO time after which another run may take the item over (a crashed run's claim). */
  expiresAt: string;
}

export interface AlertRecord extends AlertKey {
  /** Channel the alert is routed to (namespace label, else SLACK_CHANNEL). */
  channel: string;
  /** The finding as last seen lagging: renders reminders' context and the resolved notice. */
  finding: Finding;
  /** `alertTarget(finding)` as last seen. */
  target: string;
  /** ISO time since when the workload is known to lag (the newest tag's push time at first sight). */
  laggingSince: string;
  /** Target of the last delivered "new" message; null while nothing was delivered. */
  announcedTarget: string | null;
  /** ISO time of the last delivered message about this alert (new or reminder). */
  lastSentAt: string | null;
  /** First message of the current alert (bot token only). */
  thread: SlackThread | null;
  claim: AlertClaim | null;
}
