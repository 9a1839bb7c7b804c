/**
 * Runs the benchmark: builds the estate and its lower bounds, serves it from the emulators in
 * this process, and scans it in fresh child processes (warm-up scans first, not counted).
 */
import { fork } from 'node:child_process';
import { BENCH_EXCLUDED, computeBounds, type Bounds, type ScanParameters } from '../../bench/bounds.js';
import { buildEstate, expectedStatuses, type EstateModel } from '../../bench/estate.js';
import { addOverrides } from '../../bench/overrides.js';
import { startBenchHarness, type BenchHarness, type RequestCounts } from '../../bench/harness.js';
import type { ScanFigures } from '../../bench/scanOnce.js';
import { ensureTestPki } from '../../emulators/testPki.js';
import { DEFAULT_PAGE_SIZE } from '../../src/inventory/kubernetesInventory.js';
import { tagPageSize } from '../../src/registry/acrTagLookup.js';
import { MAX_SCOPES_PER_TOKEN } from '../../src/registry/acrScopeBatch.js';
import type { BenchFlags } from './flags.js';

export interface RunResult {
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

/** One benchmark run: its flags, where its test CA goes, and the script its scanning processes run. */
export interface BenchRun {
  flags: BenchFlags;
  pkiDir: string;
  /** The script the scanning processes run, with `--child`. */
  childEntry: string;
  log: (line: string) => void;
}

type MeasuredRun = { counts: RequestCounts; figures: ScanFigures; podPageIntervalMs: number | undefined };

/** Scans once in a fresh process with `env`; its figures. */
function runChild(childEntry: string, env: Record<string, string>): Promise<ScanFigures> {
  return new Promise((resolve, reject) => {
    // Only PATH and HOME from this environment: the scan gets everything else from `env`.
    // BENCH_CHILD_EXEC_ARGV (e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof") is a debugging aid:
    // Node options for the scanning process only.
    const proc = fork(childEntry, ['--child'], {
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

/** The median of the walls so far. */
function median(walls: number[]): number {
  const sorted = [...walls].sort((a, b) => a - b);
  return sorted[Math.floor((sorted.length - 1) / 2)] as number;
}

function scanParameters(flags: BenchFlags, acrMaxResults: number): ScanParameters {
  return {
    latencyMs: flags.latencyMs,
    acrConcurrency: flags.concurrency,
    kubernetesPageSize: DEFAULT_PAGE_SIZE,
    acrPageSize: tagPageSize(acrMaxResults),
    acrMaxResults,
    maxScopesPerToken: MAX_SCOPES_PER_TOKEN,
    excludedNamespaces: BENCH_EXCLUDED,
    ...(flags.acrReadsPerSecond ? { acrReadsPerSecond: flags.acrReadsPerSecond } : {}),
  };
}

/** The warm-up scans, then the counted ones; the run with the median wall time (the last one when there is a single run). */
async function measure(run: BenchRun, harness: BenchHarness): Promise<{ kept: MeasuredRun; walls: number[] }> {
  const { flags, log } = run;
  // Under --acr-reads-per-second warm-up scans would spend the read budget.
  for (let n = 1; n <= (flags.acrReadsPerSecond ? 0 : flags.warmup); n++) {
    log(`warm-up scan ${n}: ${Math.round((await runChild(run.childEntry, harness.env)).wallMs)} ms (not counted)`);
  }
  const walls: number[] = [];
  let kept: MeasuredRun | undefined;
  for (let n = 1; n <= flags.runs; n++) {
    const mark = harness.mark();
    const figures = await runChild(run.childEntry, harness.env);
    const counts = harness.counts(mark);
    const podPageIntervalMs = harness.podPageIntervalMs(mark);
    walls.push(figures.wallMs);
    log(`run ${n}/${flags.runs}: ${Math.round(figures.wallMs)} ms, ${counts.total} requests, peak RSS ${figures.peakRssMb.toFixed(1)} MB`);
    for (const p of figures.problems) log(`  ${p}`);
    if (!kept || median(walls) === figures.wallMs) kept = { counts, figures, podPageIntervalMs };
  }
  if (!kept) throw new Error('no run');
  return { kept, walls };
}

export async function benchOnce(run: BenchRun): Promise<RunResult> {
  const { flags, log } = run;
  const estate = buildEstate({
    clusters: flags.clusters,
    podsPerCluster: flags.podsPerCluster,
    repositories: flags.repos,
    registries: flags.registries,
    tagsPerRepository: flags.tags,
  });
  if (flags.overrides) addOverrides(estate);
  // Every tag may be examined, so a release on the last page is still found.
  const acrMaxResults = Math.max(100, flags.tags);
  const params = scanParameters(flags, acrMaxResults);
  const bounds = computeBounds(estate, params);
  const setupStarted = performance.now();
  const harness = await startBenchHarness(estate, {
    pki: ensureTestPki(run.pkiDir),
    latencyMs: flags.latencyMs,
    acrConcurrency: flags.concurrency,
    acrMaxResults,
    ...(flags.acrReadsPerSecond ? { acrReadsPerSecond: flags.acrReadsPerSecond } : {}),
  });
  log(`estate ready in ${Math.round(performance.now() - setupStarted)} ms: ${flags.clusters} clusters x ${flags.podsPerCluster} pods, ${flags.repos} repositories x ${flags.tags} tags`);
  try {
    const { kept, walls } = await measure(run, harness);
    const expected = expectedStatuses(estate);
    const got: Record<string, number> = kept.figures.statuses;
    const correct = Object.entries(expected).every(([k, v]) => got[k] === v) && kept.figures.clustersFailed === 0;
    return { flags, estate, params, bounds, ...kept, walls, correct };
  } finally {
    await harness.close();
  }
}
