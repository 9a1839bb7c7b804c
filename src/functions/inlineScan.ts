/** The scan of the timer (SCAN_FANOUT=inline) and of scanNow: the clusters of CLUSTERS in one run. */
import { createStateStore } from '../alerts/state/createStateStore.js';
import type { ClusterSource } from '../clusters/clusterSource.js';
import { clusterSources } from '../clusters/clusterSources.js';
import { createAzureCredential } from '../identity/createAzureCredential.js';
import { indexScanForPushes } from '../push/recordScanIndex.js';
import { runScan, type ScanRunResult } from '../run/runScan.js';
import { createStatusStore } from '../status/createStatusStore.js';
import type { Invocation } from './invocation.js';
import type { ScanRequest } from './scanRequest.js';

/** Names a request asked for that CLUSTERS does not have, with the names it has. */
export interface UnknownClusters {
  unknown: string[];
  known: string[];
}

/** The sources the request names (all when it names none), matched case-insensitively. */
function pickClusters(sources: ClusterSource[], names: readonly string[]): ClusterSource[] | UnknownClusters {
  if (names.length === 0) return sources;
  const byName = new Map(sources.map((s) => [s.name.toLowerCase(), s]));
  const unknown = names.filter((n) => !byName.has(n.toLowerCase()));
  if (unknown.length) return { unknown, known: sources.map((s) => s.name) };
  return names.map((n) => byName.get(n.toLowerCase())).filter((s) => s !== undefined);
}

export async function scanInline({ config, logger, signal }: Invocation, request: ScanRequest): Promise<ScanRunResult | UnknownClusters> {
  // The invocation's token requests end with it: none is left running after it returns.
  const credential = createAzureCredential(config, signal);
  const sources = pickClusters(await clusterSources(config, { credential, logger, signal }), request.clusterNames);
  if (!Array.isArray(sources)) return sources;
  // Alert state lives in the app's own storage account (table STATE_TABLE); a dry run changes none.
  // Its ETag claims are what keep overlapping runs (a timer and an HTTP call, or two instances)
  // from sending the same alert twice.
  const stateStore = request.dryRun ? undefined : createStateStore({ kind: 'table', tableName: config.stateTable, env: process.env });
  // Each cluster's latest status, for the status page, in the same table (a dry run sees the estate too).
  const statusStore = createStatusStore({ kind: 'table', tableName: config.stateTable, env: process.env });
  const result = await runScan(config, sources, { logger, credential, dryRun: request.dryRun, statusStore, ...(stateStore ? { stateStore } : {}) });
  if (!request.dryRun) await indexScanForPushes(config, process.env, result.report, sources, logger);
  return result;
}
