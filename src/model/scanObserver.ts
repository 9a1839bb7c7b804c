/**
 * What a scan tells whoever watches it while it runs: the metrics (src/metrics) and the CLI's
 * progress line. Every method is optional and must return at once; a watcher never changes
 * what the scan does.
 */
import type { ClusterReport } from './finding.js';
import type { RegistryLookupResult } from './registry.js';

export interface ScanObserver {
  /** The clusters a run will scan, once at its start. */
  runStarted?(clusters: number): void;
  /** After each page of a cluster's running pods: the pods listed so far in that cluster (a restarted listing counts again from 0). */
  podsListed?(cluster: string, podsSoFar: number): void;
  /** A cluster's report, when its findings are decided or it failed. */
  clusterScanned?(report: ClusterReport): void;
  /** A repository's lookup answered (once per repository and run, not per workload). */
  registryLookupDone?(registry: string, result: RegistryLookupResult['kind']): void;
  /** The registry answered a request 429, or 503 with Retry-After: the scan waits before asking again. */
  registryThrottled?(registry: string): void;
}

/** One observer that tells each of `observers` in turn. */
export function combineObservers(...observers: ReadonlyArray<ScanObserver | undefined>): ScanObserver {
  const present = observers.filter((o): o is ScanObserver => o !== undefined);
  return {
    runStarted: (clusters) => present.forEach((o) => o.runStarted?.(clusters)),
    podsListed: (cluster, pods) => present.forEach((o) => o.podsListed?.(cluster, pods)),
    clusterScanned: (report) => present.forEach((o) => o.clusterScanned?.(report)),
    registryLookupDone: (registry, result) => present.forEach((o) => o.registryLookupDone?.(registry, result)),
    registryThrottled: (registry) => present.forEach((o) => o.registryThrottled?.(registry)),
  };
}
