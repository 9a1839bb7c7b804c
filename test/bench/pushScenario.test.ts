import { describe, expect, it } from 'vitest';
import { BENCH_EXCLUDED } from '../../bench/bounds.js';
import { buildEstate } from '../../bench/estate.js';
import { clustersRunning, percentile, planPushes, pushRequestsLowerBound, timerOnlyLatencyMs } from '../../bench/pushScenario.js';

describe('the push scenario plan', () => {
  const estate = buildEstate({ clusters: 4, podsPerCluster: 300, repositories: 20, registries: 2, tagsPerRepository: 10, namespacesPerCluster: 3 });

  it('pushes distinct repositories that some cluster runs, a release newer than their tags, spread over time', () => {
    const pushes = planPushes(estate, 5, 1000, BENCH_EXCLUDED);
    expect(new Set(pushes.map((p) => p.repository.name)).size).toBe(5);
    for (const p of pushes) {
      expect(p.clusters).toEqual(clustersRunning(estate, p.repository.index, BENCH_EXCLUDED));
      expect(p.clusters.length).toBeGreaterThan(0);
      expect(p.repository.tags.map((t) => t.name)).not.toContain(p.tag);
    }
    const offsets = pushes.map((p) => p.offsetMs);
    expect(offsets).toEqual([...offsets].sort((a, b) => a - b));
    expect(offsets[0]).toBe(0);
  });

  it('does not count a cluster that runs the repository only in an excluded namespace', () => {
    // The coredns pods of kube-system run the first repository in every cluster.
    const teams = new Set(estate.clusters.flatMap((c) => c.namespaces.map((n) => n.name)).filter((n) => n !== 'kube-system'));
    expect(clustersRunning(estate, 0, teams)).toHaveLength(4);
    expect(clustersRunning(estate, 0, new Set([...teams, 'kube-system']))).toEqual([]);
  });

  it('bounds the requests by one listing of each checked cluster and one tag page per push', () => {
    const pushes = planPushes(estate, 2, 1000, BENCH_EXCLUDED);
    const listing = (name: string) => {
      const c = estate.clusters.find((x) => x.name === name);
      return Math.ceil((c?.namespaces.length ?? 0) / 10) + Math.ceil((c?.runningPods ?? 0) / 10);
    };
    const expected = pushes.reduce((n, p) => n + 1 + p.clusters.reduce((m, c) => m + listing(c), 0), 0);
    expect(pushRequestsLowerBound(estate, pushes, 10)).toBe(expected);
  });
});

describe('timerOnlyLatencyMs', () => {
  const tick = Date.parse('2026-11-29T10:05:00Z');
  it('waits for the first timer run after push + grace, then the scan', () => {
    expect(timerOnlyLatencyMs(tick - 180_000 - 60_000, 180_000, 2_000)).toBe(62_000);
    // A push whose grace ends on a tick: that run sees it pending, the next one alerts.
    expect(timerOnlyLatencyMs(tick - 180_000, 180_000, 2_000)).toBe(302_000);
  });
});

describe('percentile', () => {
  it('is the nearest-rank percentile', () => {
    const values = Array.from({ length: 20 }, (_, i) => 20 - i);
    expect(percentile(values, 50)).toBe(10);
    expect(percentile(values, 95)).toBe(19);
    expect(percentile(values, 100)).toBe(20);
    expect(percentile([], 50)).toBeNaN();
  });
});
