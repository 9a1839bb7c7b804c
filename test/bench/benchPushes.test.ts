/**
 * The benchmark's push scenario on a small estate: every push is delivered through the queue,
 * checks exactly the clusters that run its repository, and each of them alerts once, after push
 * time + grace period; the checks cost one listing per cluster and one tag page per push (plus
 * their ARM reads, which the figures report), and the figures carry every key the README quotes.
 * Counts and ordering, not timings.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BENCH_EXCLUDED } from '../../bench/bounds.js';
import { buildEstate } from '../../bench/estate.js';
import { pushFigures } from '../../bench/pushFigures.js';
import { runPushScenario, type PushRunResult } from '../../bench/pushRun.js';
import { planPushes, pushRequestsLowerBound } from '../../bench/pushScenario.js';
import { ensureTestPki } from '../../emulators/testPki.js';
import { DEFAULT_PAGE_SIZE } from '../../src/inventory/kubernetesInventory.js';
import { startInProcessApp } from '../support/inProcessApp.js';

const savedEnv = { ...process.env };
afterAll(() => {
  process.env = savedEnv;
});

describe('the benchmark push scenario on a small estate', () => {
  const estate = buildEstate({ clusters: 3, podsPerCluster: 120, repositories: 6, registries: 2, tagsPerRepository: 30, namespacesPerCluster: 4, seed: 5 });
  const pushes = planPushes(estate, 2, 300, BENCH_EXCLUDED);
  const gracePeriodMs = 1_000;
  let result: PushRunResult;
  let figures: Record<string, unknown>;

  beforeAll(async () => {
    result = await runPushScenario({
      estate,
      harness: { pki: ensureTestPki(), latencyMs: 0, acrConcurrency: 4, acrMaxResults: 100 },
      pushes,
      gracePeriodMs,
      startApp: startInProcessApp,
      log: () => {},
    });
    figures = pushFigures(estate, pushes, result, gracePeriodMs, DEFAULT_PAGE_SIZE);
  }, 120_000);

  it('checks exactly the clusters that run each pushed repository, and each alerts once, after push + grace', () => {
    expect(pushes).toHaveLength(2);
    expect(result.scheduled).toEqual(pushes.map((p) => [...p.clusters].sort()));
    expect(result.checks).toHaveLength(pushes.reduce((n, p) => n + p.clusters.length, 0));
    for (const check of result.checks) expect(check.alertAt).toBeGreaterThanOrEqual(check.pushedAt + gracePeriodMs);
    expect(figures).toMatchObject({ pushes: 2, checks_as_expected: true, alerts_missing: 0, alerts_received: result.checks.length });
  });

  it('lists each checked cluster once and reads one tag page per push', () => {
    const c = result.counts;
    const bound = pushRequestsLowerBound(estate, pushes, DEFAULT_PAGE_SIZE);
    expect(c.kubernetesNamespacePages + c.kubernetesPodPages + c.acrTagPages).toBe(bound);
    expect(c.acrTagPages).toBe(pushes.length);
    expect(figures.push_requests_lower_bound).toBe(bound);
    expect(figures.push_requests).toBe(c.total);
  });

  it('reports every figure the README quotes', () => {
    for (const key of ['pushes', 'detection_latency_p50_ms', 'detection_latency_p95_ms', 'detection_latency_max_ms', 'timer_only_latency_p95_ms', 'push_requests', 'push_requests_lower_bound', 'push_requests_ratio']) {
      expect(typeof figures[key], key).toBe('number');
    }
  });
});
