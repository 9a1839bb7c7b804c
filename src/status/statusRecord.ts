/**
 * A stored status record as this version writes and reads it: the `ClusterStatus` fields with a
 * schema version. A record that does not match (hand-edited, another version) is not shown as if
 * it were right: the reader counts it as unreadable.
 */
import { z } from 'zod';
import { FINDING_STATUSES, type StatusCounts } from '../model/finding.js';
import { STATUS_ITEM_KINDS, type ClusterStatus } from '../model/clusterStatus.js';

export const STATUS_SCHEMA_VERSION = 1;

const isoTime = z.string().refine((s) => Number.isFinite(Date.parse(s)), 'not a time');

const itemSchema = z.object({
  status: z.enum(STATUS_ITEM_KINDS),
  namespace: z.string(),
  workload: z.object({ kind: z.string(), name: z.string() }),
  container: z.string(),
  channel: z.string().nullable(),
  running: z.string(),
  newest: z.string().nullable(),
  newestPushedAt: isoTime.nullable(),
  countsAt: isoTime.optional(),
  reason: z.string().optional(),
  pods: z.number().int().nonnegative(),
});

const countsSchema = z.object(Object.fromEntries(FINDING_STATUSES.map((s) => [s, z.number().int().nonnegative()]))) as unknown as z.ZodType<StatusCounts>;

const statusSchema = z.object({
  cluster: z.string(),
  lastScanAt: isoTime,
  ok: z.boolean(),
  error: z.string().optional(),
  lastSuccessAt: isoTime.optional(),
  durationMs: z.number().nonnegative(),
  pods: z.number().int().nonnegative(),
  counts: countsSchema,
  items: z.array(itemSchema),
  itemsAt: isoTime.optional(),
  itemsOmitted: z.number().int().nonnegative(),
});

/** The record, or undefined when it is not one this version wrote. */
export function readStatusRecord(value: unknown): ClusterStatus | undefined {
  const parsed = statusSchema.safeParse(value);
  return parsed.success ? (parsed.data as ClusterStatus) : undefined;
}
