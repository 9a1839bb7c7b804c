/** Pods the inventory could not read, as `error` findings (pure). */
import { MAX_MALFORMED_PODS, type ClusterInventory } from '../inventory/kubernetesInventory.js';
import type { Finding } from '../model/finding.js';
import type { MalformedPod } from '../model/workload.js';

/** One finding per malformed pod (Pod/<name> in its namespace), and one for those beyond MAX_MALFORMED_PODS. */
export function malformedPodFindings(inventory: Pick<ClusterInventory, 'malformedPods' | 'malformedPodsOmitted'>, channelOf: (namespace: string) => string | null): Finding[] {
  const findings = inventory.malformedPods.map((pod) => errorFinding(pod, `malformed pod skipped: ${pod.reason}`, channelOf(pod.namespace)));
  const omitted = inventory.malformedPodsOmitted;
  if (omitted > 0) {
    const more = { namespace: '', name: `(${omitted} more)` };
    findings.push(errorFinding(more, `${omitted} more malformed pods skipped; only the first ${MAX_MALFORMED_PODS} are reported one by one`, channelOf(''), omitted));
  }
  return findings;
}

function errorFinding(pod: Pick<MalformedPod, 'namespace' | 'name'>, reason: string, channel: string | null, pods = 1): Finding {
  return {
    namespace: pod.namespace,
    workload: { kind: 'Pod', name: pod.name },
    container: '',
    image: '',
    registry: null,
    repository: null,
    deployedTag: null,
    deployedDigest: null,
    latestTag: null,
    latestDigest: null,
    latestUpdatedAt: null,
    status: 'error',
    reason,
    channel,
    pods,
  };
}
