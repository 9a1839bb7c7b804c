/** Builds report findings from workload containers and decisions (pure). */
import type { Finding, FindingSettings, FindingStatus } from '../model/finding.js';
import type { ImageReference, ParsedImageReference } from '../model/image.js';
import type { TagInfo } from '../model/registry.js';
import type { WorkloadContainer } from '../model/workload.js';
import { cutText } from '../util/text.js';

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
  settings?: FindingSettings,
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
    ...(settings ? { settings } : {}),
  };
}
