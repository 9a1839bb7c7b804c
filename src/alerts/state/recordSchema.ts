/**
 * What a stored alert record must look like for this version to use it, checked with zod when
 * the state is read: a row that is not (another schema version, a hand edit, a finding that
 * does not parse) is never trusted, and never mistaken for a claim (see stateStore.ts for what
 * happens to it).
 */
import { z } from 'zod';
import type { AlertRecord } from '../../model/alert.js';
import { FINDING_STATUSES, type Finding } from '../../model/finding.js';
import { alertId } from '../alertKey.js';

/** The version of the record layout this app writes; rows of another version are foreign. */
export const RECORD_SCHEMA_VERSION = 1;

const nullableString = z.string().nullable();

const findingSchema = z.object({
  namespace: z.string(),
  workload: z.object({ kind: z.string(), name: z.string() }),
  container: z.string(),
  image: z.string(),
  registry: nullableString,
  repository: nullableString,
  deployedTag: nullableString,
  deployedDigest: nullableString,
  latestTag: nullableString,
  latestDigest: nullableString,
  latestUpdatedAt: nullableString,
  status: z.enum(FINDING_STATUSES),
  reason: z.string().optional(),
  channel: nullableString,
  pods: z.number(),
}) satisfies z.ZodType<Finding>;

const recordSchema = z.object({
  cluster: z.string(),
  namespace: z.string(),
  workloadKind: z.string(),
  workloadName: z.string(),
  container: z.string(),
  channel: z.string(),
  finding: findingSchema,
  target: z.string(),
  laggingSince: z.string(),
  announcedTarget: nullableString,
  lastSentAt: nullableString,
  thread: z.object({ channelId: z.string(), ts: z.string() }).nullable(),
  claim: z.object({ owner: z.string(), expiresAt: z.string() }).nullable(),
}) satisfies z.ZodType<AlertRecord>;

/**
 * The record, or what is wrong with it. `id` is where the row was found: a record whose key
 * columns name another alert (a hand edit) is not that row's alert.
 */
export function readRecord(candidate: unknown, id: string): { record: AlertRecord } | { problem: string } {
  const parsed = recordSchema.safeParse(candidate);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return { problem: `not a valid alert record (${issue ? `${issue.path.join('.') || 'record'}: ${issue.message}` : 'invalid'})` };
  }
  if (alertId(parsed.data) !== id) return { problem: 'its columns name another alert than its keys' };
  return { record: parsed.data };
}
