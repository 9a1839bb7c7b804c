import type { KubeConfig } from '@kubernetes/client-node';
import type { TokenCredential } from '@azure/identity';
import type { Logger } from '../log/logger.js';

/** A cluster the scan can reach: a kubeconfig context, or an AKS cluster through ARM. */
export interface ClusterSource {
  /** What messages and reports call it (the alias, else the cluster or context name). */
  name: string;
  /** The AKS cluster's ARM resource ID, for a cluster reached through ARM. */
  resourceId?: string;
  /**
   * Resolves the cluster's connection and credentials as a `KubeConfig` (its current context);
   * rejects with a precise, secret-free reason.
   */
  connect(logger: Logger, signal: AbortSignal): Promise<KubeConfig>;
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
}
