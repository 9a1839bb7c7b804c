/**
 * A push ACR reported (an `ImagePushed` event, decoded in push/), and the check of one cluster
 * it schedules: a `scanCluster` queue message of reason `push`, scanned at push time + grace.
 */

/** One tag pushed to a registry in REGISTRIES. */
export interface ImagePush {
  /** The Event Grid event's id (the same on every delivery of the event). */
  eventId: string;
  /** The registry's login server as REGISTRIES names it (lower case). */
  registry: string;
  repository: string;
  tag: string;
  /** `sha256:…`, when the event names it. */
  digest: string | null;
  /** ISO 8601: when ACR took the push (the event's `data.timestamp`). */
  pushedAt: string;
}

/** What a scheduled check carries, so that its scan can say which push it followed and how late it was. */
export interface PushCheck {
  eventId: string;
  registry: string;
  repository: string;
  tag: string;
  /** ISO 8601 push time. */
  pushedAt: string;
  /** The grace period in use for the repository that this check waited out. */
  gracePeriodMs: number;
  /** ISO 8601: when the message becomes visible (push time + grace + margin, or at once when that is past). */
  dueAt: string;
}
