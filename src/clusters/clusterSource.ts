import type { KubeConfig } from '@kubernetes/client-node';
import type { TokenCredential } from '@azure/identity';
import type { Logger } from '../log/logger.js';
import type { ArmReadCache } from './armReadCache.js';

/** A cluster reached: how to talk to it, and what its resource says about its settings. */
export interface ConnectedCluster {
  /** The cluster's connection and credentials (its current context). */
  kubeConfig: KubeConfig;
  /** The AKS resource's Azure tags, as `managedClusters.get` returned them (none for a kubeconfig). */
  resourceTags?: Readonly<Record<string, string>>;
}

/** A cluster the scan can reach: a kubeconfig context, or an AKS cluster through ARM. */
export interface ClusterSource {
  /** What reports call it (the alias, else the cluster or context name); CLUSTER_SETTINGS and alert state are keyed by it. */
  name: string;
  /** The AKS cluster's ARM resource ID, for a cluster reached through ARM. */
  resourceId?: string;
  /** Resolves the cluster's connection and credentials; rejects with a precise, secret-free reason. */
  connect(logger: Logger, signal: AbortSignal): Promise<ConnectedCluster>;
  /** Adds what only the source knows to a failure reason (e.g. that the cluster is private). */
  explainFailure?(reason: string): string;
}

/** What building the sources of a configuration needs (clusterSources.ts). */
export interface ClusterSourceDeps {
  /** The app's identity, for ARM and for Entra clusters. */
  credential: TokenCredential;
  logger: Logger;
  /** Ends the discovery's requests early (the run or invocation is over). */
  signal?: AbortSignal;
  /** Recent ARM reads of AKS clusters to reuse (push checks, armReadCache.ts); none: every scan reads ARM. */
  armReads?: ArmReadCache;
}
