/** What `npm run bench` prints: a table of measured against lower-bound figures, and the figures as JSON. */
import { overrideCounts } from '../../bench/overrides.js';
import type { RunResult } from './run.js';

export const round2 = (x: number): number => Math.round(x * 100) / 100;

export function figuresOf(r: RunResult): Record<string, unknown> {
  const c = r.counts;
  const b = r.bounds.requests;
  const tokenCalls = c.identityTokens + c.acrExchanges + c.acrAccessTokens;
  const tokenBound = b.identityTokens + b.acrExchanges + b.acrAccessTokens;
  const kubernetes = c.kubernetesNamespacePages + c.kubernetesPodPages + c.kubernetesOther;
  const kubernetesBound = b.kubernetesNamespacePages + b.kubernetesPodPages;
  const podsTotal = r.estate.clusters.reduce((n, cl) => n + cl.runningPods, 0);
  return {
    pods: podsTotal,
    pods_scanned: r.figures.pods,
    clusters: r.flags.clusters,
    repositories: r.bounds.repositoriesLookedUp,
    registries: r.flags.registries,
    tags_per_repository: r.flags.tags,
    latency_ms: r.flags.latencyMs,
    acr_concurrency: r.flags.concurrency,
    kubernetes_page_size: r.params.kubernetesPageSize,
    acr_page_size: r.params.acrPageSize,
    requests: c.total,
    requests_lower_bound: b.total,
    requests_ratio: round2(c.total / b.total),
    kubernetes_pages: kubernetes,
    kubernetes_pages_lower_bound: kubernetesBound,
    acr_tag_pages: c.acrTagPages,
    acr_tag_pages_lower_bound: b.acrTagPages,
    token_calls: tokenCalls,
    token_calls_lower_bound: tokenBound,
    identity_token_calls: c.identityTokens,
    acr_exchanges: c.acrExchanges,
    acr_access_token_calls: c.acrAccessTokens,
    acr_access_token_calls_lower_bound: b.acrAccessTokens,
    acr_challenges: c.acrChallenges,
    acr_throttled: c.acrThrottled,
    acr_other: c.acrManifests + c.acrOther,
    arm_requests: c.armRequests,
    arm_requests_lower_bound: b.armRequests,
    wall_ms: Math.round(r.figures.wallMs),
    wall_lower_bound_ms: r.bounds.wallMs,
    wall_ratio: round2(r.figures.wallMs / r.bounds.wallMs),
    wall_runs_ms: r.walls.map((w) => Math.round(w)),
    kubernetes_page_interval_ms: r.podPageIntervalMs === undefined ? null : Math.round(r.podPageIntervalMs),
    cpu_ms: Math.round(r.figures.cpuMs),
    peak_rss_mb: round2(r.figures.peakRssMb),
    rss_before_scan_mb: round2(r.figures.rssBeforeScanMb),
    peak_heap_mb: round2(r.figures.peakHeapMb),
    pods_per_second: Math.round(podsTotal / (r.figures.wallMs / 1000)),
    findings: r.figures.statuses,
    findings_as_expected: r.correct,
    acr_reads_per_second_limit: r.flags.acrReadsPerSecond || null,
    settings_overrides: r.flags.overrides ? overrideCounts(r.estate) : null,
  };
}

export function table(r: RunResult): string {
  const c = r.counts;
  const b = r.bounds.requests;
  const rows: Array<[string, number | string, number | string]> = [
    ['Kubernetes namespace pages', c.kubernetesNamespacePages, b.kubernetesNamespacePages],
    ['Kubernetes pod pages', c.kubernetesPodPages, b.kubernetesPodPages],
    ['ARM (cluster get + credentials)', c.armRequests, b.armRequests],
    ['Managed identity tokens', c.identityTokens, b.identityTokens],
    ['ACR /oauth2/exchange', c.acrExchanges, b.acrExchanges],
    ['ACR /oauth2/token', c.acrAccessTokens, b.acrAccessTokens],
    ['ACR 401 challenges', c.acrChallenges, 0],
    ['ACR tag pages', c.acrTagPages, b.acrTagPages],
    ['ACR 429 throttled', c.acrThrottled, 0],
    ['Other', c.kubernetesOther + c.acrManifests + c.acrOther, 0],
    ['All requests', c.total, b.total],
  ];
  const ratio = (m: number | string, l: number | string) => (typeof m === 'number' && typeof l === 'number' && l > 0 ? (m / l).toFixed(2) : m === 0 ? '-' : 'n/a');
  const lines = [`${'requests'.padEnd(34)}${'measured'.padStart(10)}${'lower bound'.padStart(13)}${'ratio'.padStart(8)}`];
  for (const [name, m, l] of rows) lines.push(`${name.padEnd(34)}${String(m).padStart(10)}${String(l).padStart(13)}${ratio(m, l).padStart(8)}`);
  const t = r.bounds.wallTerms;
  lines.push('');
  lines.push(`${'wall time (ms)'.padEnd(34)}${String(Math.round(r.figures.wallMs)).padStart(10)}${String(r.bounds.wallMs).padStart(13)}${(r.figures.wallMs / r.bounds.wallMs).toFixed(2).padStart(8)}`);
  lines.push(
    `  bound terms: listing chain ${t.listingMs} ms, longest repository chain ${t.longestChainMs} ms, registry throughput ${t.throughputMs} ms${t.rateLimitMs ? `, registry read rate ${t.rateLimitMs} ms` : ''}`,
  );
  lines.push(`  runs (ms): ${r.walls.map((w) => Math.round(w)).join(', ')}; CPU ${Math.round(r.figures.cpuMs)} ms`);
  if (r.podPageIntervalMs !== undefined) {
    lines.push(`  pod pages of a cluster came every ${Math.round(r.podPageIntervalMs)} ms (median; the bound counts ${r.flags.latencyMs} ms of latency per page)`);
  }
  const pods = r.estate.clusters.reduce((n, cl) => n + cl.runningPods, 0);
  lines.push(
    `peak RSS ${r.figures.peakRssMb.toFixed(1)} MB (${r.figures.rssBeforeScanMb.toFixed(1)} MB with the code loaded, before scanning; heap peak ${r.figures.peakHeapMb.toFixed(1)} MB); ${Math.round(pods / (r.figures.wallMs / 1000))} pods/s`,
  );
  lines.push(`findings ${JSON.stringify(r.figures.statuses)}: ${r.correct ? 'as expected from the estate' : 'NOT as expected'}`);
  if (r.flags.overrides) {
    const o = overrideCounts(r.estate);
    lines.push(`settings of their own: ${o.annotatedWorkloads} of ${o.workloads} workloads annotated (${o.optedOutWorkloads} opted out), ${o.annotatedNamespaces} namespaces annotated, ${o.configuredClusters} cluster(s) in CLUSTER_SETTINGS`);
  }
  return lines.join('\n');
}
