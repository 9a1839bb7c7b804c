/**
 * What ARM said about AKS clusters (the cluster and its user kubeconfig), kept by the instance for
 * a short time. Push checks use it: the checks of a burst of pushes often scan the same clusters
 * minutes apart, and each would otherwise read the cluster and its kubeconfig from ARM again (two
 * of the three requests a check costs beyond the listing it needs). Full scans always read afresh.
 * The kubeconfig stays in memory only, as it does while a scan runs.
 */
import type { ManagedCluster } from '@azure/arm-containerservice';
import { systemClock, type Clock } from '../model/clock.js';

/** What ARM says about the cluster: where its API server is, whether it uses Entra, its user kubeconfig. */
export interface ArmCluster {
  cluster: ManagedCluster;
  kubeconfigYaml: string;
}

export class ArmReadCache {
  private readonly entries = new Map<string, { at: number; read: ArmCluster }>();

  constructor(
    private readonly maxAgeMs: number,
    private readonly now: Clock = systemClock,
  ) {}

  /** The read of the cluster `resourceId` (compared without case, as ARM compares IDs) if it is younger than the maximum age. */
  get(resourceId: string): ArmCluster | undefined {
    const key = resourceId.toLowerCase();
    const entry = this.entries.get(key);
    if (entry && this.now() - entry.at < this.maxAgeMs) return entry.read;
    this.entries.delete(key);
    return undefined;
  }

  set(resourceId: string, read: ArmCluster): void {
    this.entries.set(resourceId.toLowerCase(), { at: this.now(), read });
  }

  /** Forgets a cluster whose scan failed: its next check reads ARM again (its credentials may have changed). */
  forget(resourceId: string): void {
    this.entries.delete(resourceId.toLowerCase());
  }
}
