/**
 * Where each cluster's latest status is kept for the status page: the function app's table (the
 * `status` function reads what the scans wrote), or memory (the CLI's own page, and tests).
 */
import type { ClusterStatus } from '../model/clusterStatus.js';

export interface StoredStatuses {
  statuses: ClusterStatus[];
  /** Records that could not be read (another version's, or damaged): not shown. */
  unreadable: number;
}

export interface StatusStore {
  /** For logs: where the statuses are. */
  readonly description: string;
  /** The cluster's stored status, if any (an unreadable one counts as none). */
  get(cluster: string): Promise<ClusterStatus | undefined>;
  /** Every stored status, in no particular order. */
  list(): Promise<StoredStatuses>;
  /** Replaces the cluster's status. */
  save(status: ClusterStatus): Promise<void>;
}

export class MemoryStatusStore implements StatusStore {
  readonly description = 'memory';
  private readonly byCluster = new Map<string, ClusterStatus>();

  async get(cluster: string): Promise<ClusterStatus | undefined> {
    return structuredClone(this.byCluster.get(cluster));
  }

  async list(): Promise<StoredStatuses> {
    return { statuses: [...this.byCluster.values()].map((s) => structuredClone(s)), unreadable: 0 };
  }

  async save(status: ClusterStatus): Promise<void> {
    this.byCluster.set(status.cluster, structuredClone(status));
  }
}
