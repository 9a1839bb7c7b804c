/** Builds report findings from workload containers and decisions (pure). */
import type { ImageReference, ParsedImageReference } from '../inventory/imageReference.js';
import type { WorkloadContainer } from '../inventory/workloads.js';
import type { TagInfo } from '../registry/types.js';
import type { Finding, FindingStatus, StatusCounts } from '../report/types.js';
import { FINDING_STATUSES } from '../report/types.js';
import { cutText } from '../util/cutText.js';

/**
 * The longest image reference a report carries whole: a valid one is at most 520 characters
 * (255 name, 128 tag, a sha512 digest and the separators); the pod spec can hold far more,
 * and three 1 MB references must not make a 4.7 MB report.
 */
export const REPORT_IMAGE_MAX = 600;
/** Reasons are ours and short; this only stops a quoted input that slipped through. */
export const REPORT_REASON_MAX = 2_000;

export function buildFinding(
  container: WorkloadContainer,
  reference: ParsedImageReference,
  decision: { status: FindingStatus; reason?: string; newest?: TagInfo },
  channel: string | null,
): Finding {
  const ref: ImageReference | undefined = reference.valid ? reference : undefined;
  return {
    namespace: container.namespace,
    workload: container.workload,
    container: container.container,
    image: cutText(container.image, REPORT_IMAGE_MAX),
    registry: ref?.registry ?? null,
    repository: ref?.repository ?? null,
    deployedTag: ref?.tag ?? null,
    deployedDigest: container.runningDigest ?? ref?.digest ?? null,
    latestTag: decision.newest?.name ?? null,
    latestDigest: decision.newest?.digest ?? null,
    latestUpdatedAt: decision.newest?.lastUpdatedOn.toISOString() ?? null,
    status: decision.status,
    ...(decision.reason ? { reason: cutText(decision.reason, REPORT_REASON_MAX) } : {}),
    channel,
    pods: container.pods,
  };
}

export function countStatuses(findings: Iterable<Finding>): StatusCounts {
  const counts = Object.fromEntries(FINDING_STATUSES.map((s) => [s, 0])) as StatusCounts;
  for (const f of findings) counts[f.status] += 1;
  return counts;
}

/** Stable order for reports: namespace, workload, container. */
export function compareFindings(a: Finding, b: Finding): number {
  return (
    a.namespace.localeCompare(b.namespace) ||
    a.workload.kind.localeCompare(b.workload.kind) ||
    a.workload.name.localeCompare(b.workload.name) ||
    a.container.localeCompare(b.container) ||
    a.image.localeCompare(b.image)
  );
}
