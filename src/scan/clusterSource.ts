import type { CoreV1Api } from '@kubernetes/client-node';
import type { Logger } from '../log/logger.js';

/** A cluster the scan can reach: a kubeconfig context, or an AKS cluster through ARM. */
export interface ClusterSource {
  /** What messages and reports call it (the alias, else the cluster or context name). */
  name: string;
  /** Resolves an authenticated Kubernetes client; rejects with a precise, secret-free reason. */
  connect(logger: Logger, signal: AbortSignal): Promise<CoreV1Api>;
  /** Adds what only the source knows to a failure reason (e.g. that the cluster is private). */
  explainFailure?(reason: string): string;
}
