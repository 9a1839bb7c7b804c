/**
 * One full scan through the production path, as the timer function runs it: configuration from
 * the environment, `DefaultAzureCredential` (the managed identity through IDENTITY_ENDPOINT),
 * `clusterSources` (ARM) and `runScan` (dry run: the benchmark measures the scan, not Slack).
 * The figures are this process's own: wall time, CPU time and peak RSS.
 */
import { clusterSources } from '../src/clusters/clusterSources.js';
import { loadConfig } from '../src/config/config.js';
import { createAzureCredential } from '../src/identity/createAzureCredential.js';
import { createLogger } from '../src/log/logger.js';
import type { StatusCounts } from '../src/model/finding.js';
import { runScan } from '../src/run/runScan.js';

export interface ScanFigures {
  wallMs: number;
  cpuMs: number;
  /** Peak resident set size of this process so far (`process.resourceUsage().maxRSS`). */
  peakRssMb: number;
  /** RSS when the scan started: Node and the product's code loaded, nothing scanned yet. */
  rssBeforeScanMb: number;
  /** Highest V8 heap use seen by a 50 ms sampler during the scan. */
  peakHeapMb: number;
  pods: number;
  clusters: number;
  clustersFailed: number;
  statuses: StatusCounts;
  warnings: number;
  /** The first few warning and error lines, for the report. */
  problems: string[];
}

export async function scanOnce(env: Record<string, string | undefined>): Promise<ScanFigures> {
  const problems: string[] = [];
  let warnings = 0;
  const logger = createLogger((level, line) => {
    if (level === 'warn' || level === 'error') {
      warnings += 1;
      if (problems.length < 5) problems.push(`${level} ${line}`);
    }
  }, false);
  const config = loadConfig(env, { requireClusters: true });
  const before = process.memoryUsage();
  let peakHeap = before.heapUsed;
  const sampler = setInterval(() => {
    peakHeap = Math.max(peakHeap, process.memoryUsage().heapUsed);
  }, 50);
  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  try {
    const credential = createAzureCredential(config);
    const sources = await clusterSources(config, { credential, logger });
    const { report } = await runScan(config, sources, { logger, credential, dryRun: true });
    const wallMs = performance.now() - started;
    const cpu = process.cpuUsage(cpuBefore);
    const { clusters, clustersFailed, pods, ...statuses } = report.summary;
    return {
      wallMs,
      cpuMs: (cpu.user + cpu.system) / 1000,
      peakRssMb: process.resourceUsage().maxRSS / 1024,
      rssBeforeScanMb: before.rss / 1024 / 1024,
      peakHeapMb: Math.max(peakHeap, process.memoryUsage().heapUsed) / 1024 / 1024,
      pods,
      clusters,
      clustersFailed,
      statuses,
      warnings,
      problems,
    };
  } finally {
    clearInterval(sampler);
  }
}
