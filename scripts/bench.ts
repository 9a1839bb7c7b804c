/**
 * `npm run bench`: a large synthetic estate behind the emulators, scanned through the
 * production code path, with the figures compared against lower bounds computed from the
 * estate (bench/bounds.ts).
 *
 *   npm run bench -- [--clusters 10] [--pods-per-cluster 2000] [--repos 400] [--registries 2]
 *                    [--tags 300] [--latency-ms 20] [--concurrency 8] [--runs 1] [--warmup 1]
 *                    [--acr-reads-per-second N] [--growth]
 *
 * Two processes. This one generates a throwaway test CA, builds the estate and serves it from
 * the emulators (managed identity, ARM, one Kubernetes API per cluster, the ACR registries);
 * it counts every request they receive. The scan runs in a child process started with
 * NODE_EXTRA_CA_CERTS set to that CA (Node reads it only at start-up), IDENTITY_ENDPOINT and
 * the product's settings, exactly as a function app gets them. The child measures its own
 * wall time, CPU time and peak RSS (`process.resourceUsage().maxRSS`), so the emulators'
 * memory (they hold the whole estate) is not counted. Each run is a fresh child process: a
 * cold start, as a timer invocation on a new instance would be. The emulators stand in for
 * services that are always warm, so `--warmup` scans (default 1, none under
 * --acr-reads-per-second, whose read budget they would spend) run first and are not counted.
 *
 * `--growth` runs the estate at the given size and at ten times the pods per cluster, and
 * prints how wall time and peak RSS grow. `--acr-reads-per-second N` makes each registry
 * answer 429 (with Retry-After) above N reads per second, to show the scan slowing down and
 * finishing under throttling.
 *
 * Prints a table, then, as the last line, one JSON object with the figures.
 */
import { fork } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { BENCH_EXCLUDED, computeBounds, type Bounds, type ScanParameters } from '../bench/bounds.js';
import { buildEstate, expectedStatuses, type EstateModel } from '../bench/estate.js';
import { startBenchHarness, type RequestCounts } from '../bench/harness.js';
import type { ScanFigures } from '../bench/scanOnce.js';
import { ensureTestPki } from '../emulators/testPki.js';
import { DEFAULT_PAGE_SIZE } from '../src/inventory/kubernetesInventory.js';
import { tagPageSize } from '../src/registry/acrTagLookup.js';
import { MAX_SCOPES_PER_TOKEN } from '../src/registry/acrScopeBatch.js';

interface BenchFlags {
  clusters: number;
  podsPerCluster: number;
  repos: number;
  registries: number;
  tags: number;
  latencyMs: number;
  concurrency: number;
  runs: number;
  warmup: number;
  acrReadsPerSecond: number;
  growth: boolean;
}

function parseFlags(argv: string[]): BenchFlags {
  const { values } = parseArgs({
    args: argv,
    options: {
      clusters: { type: 'string', default: '10' },
      'pods-per-cluster': { type: 'string', default: '2000' },
      repos: { type: 'string', default: '400' },
      registries: { type: 'string', default: '2' },
      tags: { type: 'string', default: '300' },
      'latency-ms': { type: 'string', default: '20' },
      concurrency: { type: 'string', default: '8' },
      runs: { type: 'string', default: '1' },
      warmup: { type: 'string', default: '1' },
      'acr-reads-per-second': { type: 'string', default: '0' },
      growth: { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
    strict: true,
  });
  if (values.help) {
    console.log(
      'npm run bench -- [--clusters N] [--pods-per-cluster N] [--repos N] [--registries N] [--tags N] [--latency-ms N] [--concurrency N] [--runs N] [--warmup N] [--acr-reads-per-second N] [--growth]',
    );
    process.exit(0);
  }
  const int = (name: string, value: string | undefined, min: number, max: number): number => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < min || n > max) throw new Error(`--${name} must be a whole number from ${min} to ${max}, got ${value}`);
    return n;
  };
  return {
    clusters: int('clusters', values.clusters, 1, 500),
    podsPerCluster: int('pods-per-cluster', values['pods-per-cluster'], 1, 200_000),
    repos: int('repos', values.repos, 0, 20_000),
    registries: int('registries', values.registries, 1, 10),
    tags: int('tags', values.tags, 0, 1000),
    latencyMs: int('latency-ms', values['latency-ms'], 0, 10_000),
    concurrency: int('concurrency', values.concurrency, 1, 64),
    runs: int('runs', values.runs, 1, 20),
    warmup: int('warmup', values.warmup, 0, 5),
    acrReadsPerSecond: int('acr-reads-per-second', values['acr-reads-per-second'], 0, 100_000),
    growth: values.growth ?? false,
  };
}

// ------------------------------------------------------------------------------------------------
// The scanning child
// ------------------------------------------------------------------------------------------------

async function child(): Promise<void> {
  const { scanOnce } = await import('../bench/scanOnce.js');
  const figures = await scanOnce(process.env);
  process.send?.(figures);
  process.disconnect?.();
}

function runChild(env: Record<string, string>): Promise<ScanFigures> {
  return new Promise((resolve, reject) => {
    // Only PATH and HOME from this environment: the scan gets everything else from `env`.
    // BENCH_CHILD_EXEC_ARGV (e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof") is a debugging aid:
    // Node options for the scanning process only.
    const proc = fork(fileURLToPath(import.meta.url), ['--child'], {
      execArgv: (process.env.BENCH_CHILD_EXEC_ARGV ?? '').split(' ').filter(Boolean),
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env },
      stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
    });
    let figures: ScanFigures | undefined;
    proc.on('message', (m) => (figures = m as ScanFigures));
    proc.on('error', reject);
    proc.on('exit', (code) => (figures && code === 0 ? resolve(figures) : reject(new Error(`the scanning process exited with ${code} and no figures`))));
  });
}

// ------------------------------------------------------------------------------------------------
// The driver
// ------------------------------------------------------------------------------------------------

interface RunResult {
  flags: BenchFlags;
  estate: EstateModel;
  params: ScanParameters;
  bounds: Bounds;
  counts: RequestCounts;
  figures: ScanFigures;
  podPageIntervalMs: number | undefined;
  walls: number[];
  correct: boolean;
}

async function benchOnce(flags: BenchFlags, pkiDir: string, log: (line: string) => void): Promise<RunResult> {
  const estate = buildEstate({
    clusters: flags.clusters,
    podsPerCluster: flags.podsPerCluster,
    repositories: flags.repos,
    registries: flags.registries,
    tagsPerRepository: flags.tags,
  });
  // Every tag may be examined, so a release on the last page is still found.
  const acrMaxResults = Math.max(100, flags.tags);
  const params: ScanParameters = {
    latencyMs: flags.latencyMs,
    acrConcurrency: flags.concurrency,
    kubernetesPageSize: DEFAULT_PAGE_SIZE,
    acrPageSize: tagPageSize(acrMaxResults),
    acrMaxResults,
    maxScopesPerToken: MAX_SCOPES_PER_TOKEN,
    excludedNamespaces: BENCH_EXCLUDED,
    ...(flags.acrReadsPerSecond ? { acrReadsPerSecond: flags.acrReadsPerSecond } : {}),
  };
  const bounds = computeBounds(estate, params);
  const setupStarted = performance.now();
  const harness = await startBenchHarness(estate, {
    pki: ensureTestPki(pkiDir),
    latencyMs: flags.latencyMs,
    acrConcurrency: flags.concurrency,
    acrMaxResults,
    ...(flags.acrReadsPerSecond ? { acrReadsPerSecond: flags.acrReadsPerSecond } : {}),
  });
  log(`estate ready in ${Math.round(performance.now() - setupStarted)} ms: ${flags.clusters} clusters x ${flags.podsPerCluster} pods, ${flags.repos} repositories x ${flags.tags} tags`);
  try {
    const walls: number[] = [];
    let last: { counts: RequestCounts; figures: ScanFigures; podPageIntervalMs: number | undefined } | undefined;
    for (let run = 1; run <= (flags.acrReadsPerSecond ? 0 : flags.warmup); run++) {
      log(`warm-up scan ${run}: ${Math.round((await runChild(harness.env)).wallMs)} ms (not counted)`);
    }
    for (let run = 1; run <= flags.runs; run++) {
      const mark = harness.mark();
      const figures = await runChild(harness.env);
      const counts = harness.counts(mark);
      const podPageIntervalMs = harness.podPageIntervalMs(mark);
      walls.push(figures.wallMs);
      log(`run ${run}/${flags.runs}: ${Math.round(figures.wallMs)} ms, ${counts.total} requests, peak RSS ${figures.peakRssMb.toFixed(1)} MB`);
      for (const p of figures.problems) log(`  ${p}`);
      // Keep the run with the median wall time (the last one when there is a single run).
      if (!last || runs(walls) === figures.wallMs) last = { counts, figures, podPageIntervalMs };
    }
    if (!last) throw new Error('no run');
    const expected = expectedStatuses(estate);
    const got: Record<string, number> = last.figures.statuses;
    const correct = Object.entries(expected).every(([k, v]) => got[k] === v) && last.figures.clustersFailed === 0;
    return { flags, estate, params, bounds, ...last, walls, correct };
  } finally {
    await harness.close();
  }
}

/** The median of the walls so far. */
function runs(walls: number[]): number {
  const sorted = [...walls].sort((a, b) => a - b);
  return sorted[Math.floor((sorted.length - 1) / 2)] as number;
}

const round2 = (x: number): number => Math.round(x * 100) / 100;

function figuresOf(r: RunResult): Record<string, unknown> {
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
  };
}

function table(r: RunResult): string {
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
  return lines.join('\n');
}

async function main(): Promise<void> {
  const flags = parseFlags(process.argv.slice(2));
  const log = (line: string) => console.log(line);
  const pkiDir = mkdtempSync(join(tmpdir(), 'acr-aks-sync-bench-pki-'));
  try {
    log(`acr-aks-sync bench on Node ${process.version}, ${availableParallelism()} CPUs (${cpus()[0]?.model.trim() ?? 'unknown'}), ${new Date().toISOString()}`);
    const base = await benchOnce(flags, pkiDir, log);
    log('');
    log(table(base));
    let json = figuresOf(base);
    if (flags.growth) {
      const big = await benchOnce({ ...flags, podsPerCluster: flags.podsPerCluster * 10 }, pkiDir, log);
      log('');
      log(`x10 pods per cluster (${big.flags.podsPerCluster}):`);
      log(table(big));
      const growth = {
        pods_factor: 10,
        wall_factor: round2(big.figures.wallMs / base.figures.wallMs),
        peak_rss_factor: round2(big.figures.peakRssMb / base.figures.peakRssMb),
        base: figuresOf(base),
      };
      log('');
      log(`growth at 10x pods: wall time x${growth.wall_factor}, peak RSS x${growth.peak_rss_factor}`);
      json = { ...figuresOf(big), growth };
    }
    json = { ...json, node: process.version, cpus: availableParallelism(), date: new Date().toISOString() };
    console.log(JSON.stringify(json));
  } finally {
    rmSync(pkiDir, { recursive: true, force: true });
  }
}

if (process.argv.includes('--child')) {
  child().catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
} else {
  main().catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  });
}
