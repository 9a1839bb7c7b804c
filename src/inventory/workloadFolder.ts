import type { PodSettingAnnotations, WorkloadContainer, WorkloadRef } from '../model/workload.js';

/**
 * Accumulates pods into workload containers. Only the folded entries are kept, so memory
 * grows with the number of distinct workloads, not with the number of pods.
 *
 * Pods whose acr-aks-sync annotations differ (a rollout that changes them) fold apart, since
 * their settings may differ; pods with the same annotations share one copy of them.
 */
export class WorkloadFolder {
  private readonly entries = new Map<string, WorkloadContainer>();
  private readonly podSettings = new Map<string, PodSettingAnnotations>();
  private podCount = 0;

  /** Adds one pod's containers; returns the entries it added (the containers not seen before). */
  add(pod: {
    namespace: string;
    workload: WorkloadRef;
    containers: ReadonlyArray<{ name: string; image: string; runningDigest?: string; initContainer: boolean }>;
    podSettings?: PodSettingAnnotations;
  }): WorkloadContainer[] {
    this.podCount += 1;
    const added: WorkloadContainer[] = [];
    const settings = pod.podSettings && this.shared(pod.podSettings);
    for (const c of pod.containers) {
      const key = [pod.namespace, pod.workload.kind, pod.workload.name, c.name, c.image, c.runningDigest ?? '', settings?.key ?? ''].join('\u0000');
      const existing = this.entries.get(key);
      if (existing) {
        existing.pods += 1;
        continue;
      }
      const entry: WorkloadContainer = {
        namespace: pod.namespace,
        workload: pod.workload,
        container: c.name,
        initContainer: c.initContainer,
        image: c.image,
        ...(c.runningDigest ? { runningDigest: c.runningDigest } : {}),
        pods: 1,
        ...(settings ? { podSettings: settings.value } : {}),
      };
      this.entries.set(key, entry);
      added.push(entry);
    }
    return added;
  }

  /** One copy of each distinct set of annotations, and the key it folds under. */
  private shared(podSettings: PodSettingAnnotations): { key: string; value: PodSettingAnnotations } {
    const key = JSON.stringify([Object.entries(podSettings.annotations).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)), podSettings.containers]);
    let value = this.podSettings.get(key);
    if (!value) this.podSettings.set(key, (value = podSettings));
    return { key, value };
  }

  get pods(): number {
    return this.podCount;
  }

  workloads(): WorkloadContainer[] {
    return [...this.entries.values()];
  }
}
