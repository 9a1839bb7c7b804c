/** The figures of a push scenario run (pushRun.ts), as `npm run bench -- --pushes N` prints them. */
import type { EstateModel } from './estate.js';
import type { PushRunResult } from './pushRun.js';
import { percentile, pushRequestsLowerBound, timerOnlyLatencyMs, DEFAULT_TIMER_INTERVAL_MS, type PlannedPush } from './pushScenario.js';

const round2 = (x: number): number => Math.round(x * 100) / 100;

export function pushFigures(estate: EstateModel, pushes: readonly PlannedPush[], result: PushRunResult, gracePeriodMs: number, kubernetesPageSize: number): Record<string, unknown> {
  const arrived = result.checks.filter((c) => c.alertAt !== undefined);
  // Slack post time minus push time minus grace period, per cluster checked.
  const latencies = arrived.map((c) => (c.alertAt as number) - c.pushedAt - gracePeriodMs);
  const timerOnly = result.checks.map((c) => timerOnlyLatencyMs(c.pushedAt, gracePeriodMs, result.timerScanMs));
  const bound = pushRequestsLowerBound(estate, pushes, kubernetesPageSize);
  const c = result.counts;
  const expectedScheduled = pushes.map((p) => [...p.clusters].sort().join(','));
  return {
    pushes: pushes.length,
    grace_period_ms: gracePeriodMs,
    checks: result.checks.length,
    checks_as_expected: result.scheduled.every((s, i) => s.join(',') === expectedScheduled[i]),
    alerts_received: arrived.length,
    alerts_missing: result.checks.length - arrived.length,
    detection_latency_p50_ms: Math.round(percentile(latencies, 50)),
    detection_latency_p95_ms: Math.round(percentile(latencies, 95)),
    detection_latency_max_ms: Math.round(Math.max(...latencies)),
    timer_only_latency_p50_ms: Math.round(percentile(timerOnly, 50)),
    timer_only_latency_p95_ms: Math.round(percentile(timerOnly, 95)),
    // Whatever the phase of the pushes against the clock: 95% of pushes wait at most 95% of an interval.
    timer_only_latency_p95_any_phase_ms: Math.round(0.95 * DEFAULT_TIMER_INTERVAL_MS + result.timerScanMs),
    timer_scan_ms: Math.round(result.timerScanMs),
    push_requests: c.total,
    push_requests_lower_bound: bound,
    push_requests_ratio: round2(c.total / bound),
    push_requests_by_kind: {
      kubernetes_pages: c.kubernetesNamespacePages + c.kubernetesPodPages + c.kubernetesOther,
      acr_tag_pages: c.acrTagPages,
      arm: c.armRequests,
      identity_tokens: c.identityTokens,
      acr_token_calls: c.acrExchanges + c.acrAccessTokens + c.acrChallenges,
      other: c.acrManifests + c.acrOther + c.acrThrottled,
    },
    clusters: estate.clusters.length,
    pods_per_cluster: estate.options.podsPerCluster,
  };
}
