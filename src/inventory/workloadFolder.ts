import type { WorkloadContainer, WorkloadRef } from '../model/workload.js';

/**
 * Accumulates pods into workload containers. Only the folded entries are kept, so memory
 * grows with the number of distinct workloads, not with the number of pods.
 */
export class WorkloadFolder {
  private readonly entries = new Map<string, WorkloadContainer>();
  private readonly images = new Set<string>();
  private podCount = 0;

  /** Adds one pod's containers; returns the images not seen before in this folder. */
  add(pod: {
    namespace: string;
    workload: WorkloadRef;
    containers: ReadonlyArray<{ name: string; image: string; runningDigest?: string; initContainer: boolean }>;
  }): string[] {
    this.podCount += 1;
    const newImages: string[] = [];
    for (const c of pod.containers) {
      const key = [pod.namespace, pod.workload.kind, pod.workload.name, c.name, c.image, c.runningDigest ?? ''].join('\u0000');
      const existing = this.entries.get(key);
      if (existing) {
        existing.pods += 1;
        continue;
      }
      if (!this.images.has(c.image)) {
        this.images.add(c.image);
        newImages.push(c.image);
      }
      this.entries.set(key, {
        namespace: pod.namespace,
        workload: pod.workload,
        container: c.name,
        initContainer: c.initContainer,
        image: c.image,
        ...(c.runningDigest ? { runningDigest: c.runningDigest } : {}),
        pods: 1,
      });
    }
    return newImages;
  }

  get pods(): number {
    return this.podCount;
  }

  workloads(): WorkloadContainer[] {
    return [...this.entries.values()];
  }
}
