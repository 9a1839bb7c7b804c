/**
 * The scan of a check the imagePushed function scheduled (a `scanCluster` message of reason
 * `push`): the cluster's workloads running the pushed repository, decided and alerted on the
 * normal path, their other alerts left alone (run/repositoryScope.ts). It ends with one
 * structured line giving the detection latency: how long after push time + grace period the
 * check's alerts went out.
 */
import { createStateStore } from '../alerts/state/createStateStore.js';
import { ArmReadCache } from '../clusters/armReadCache.js';
import { clusterSources } from '../clusters/clusterSources.js';
import type { ResourceClusterTarget } from '../config/clusterTargets.js';
import { BatchLookups } from '../fanout/batchLookups.js';
import { createAzureCredential } from '../identity/createAzureCredential.js';
import { recordDetectionLatency } from '../metrics/scanMetrics.js';
import { systemClock } from '../model/clock.js';
import type { PushCheck } from '../model/push.js';
import { detectionLatencyMs } from '../push/detectionLatency.js';
import { createTagLookup, runScan, type ScanRunResult } from '../run/runScan.js';
import type { Invocation } from './invocation.js';

/**
 * The checks due at the same moment (one push's clusters with the same grace) that land on this
 * instance share their registry answers, as a timer run's fanned-out scans do; checks due at
 * another moment look again, so none reuses an answer from before its push.
 */
const checkLookups = new BatchLookups();

/**
 * The checks of pushes minutes apart (a release train, several services at once) scan the same
 * clusters: they reuse what ARM said about a cluster for 5 minutes (the default scan interval)
 * instead of reading the cluster and its kubeconfig again for each check.
 */
export const PUSH_CHECK_ARM_REUSE_MS = 5 * 60_000;
const armReads = new ArmReadCache(PUSH_CHECK_ARM_REUSE_MS);

export async function scanForPush(push: PushCheck, target: ResourceClusterTarget, { config, logger }: Invocation): Promise<ScanRunResult> {
  const credential = createAzureCredential(config);
  const stateStore = createStateStore({ kind: 'table', tableName: config.stateTable, env: process.env });
  const lookup = checkLookups.forBatch(push.dueAt, logger, (lookupLogger) => createTagLookup(config, credential, lookupLogger));
  const sources = await clusterSources(config, { credential, logger, armReads }, { cluster: target });
  const result = await runScan(config, sources, { logger, credential, stateStore, lookup, repository: { registry: push.registry, repository: push.repository } });
  if (!result.report.clusters.every((c) => c.ok)) armReads.forget(target.resourceId);
  const findings = result.report.clusters.flatMap((c) => c.findings);
  const latencyMs = detectionLatencyMs(push, systemClock());
  const drift = findings.filter((f) => f.status === 'drift' || f.status === 'stale-digest').length;
  // The metric is the latency of detections: a check that found every workload rolled out detected nothing.
  if (drift > 0) recordDetectionLatency(latencyMs, { cluster: target.displayName });
  logger.info('push check done', {
    cluster: target.displayName,
    repository: `${push.registry}/${push.repository}`,
    tag: push.tag,
    eventId: push.eventId,
    detectionLatencyMs: latencyMs,
    drift,
    inSync: findings.filter((f) => f.status === 'in-sync').length,
    ok: result.report.clusters.every((c) => c.ok),
  });
  return result;
}
