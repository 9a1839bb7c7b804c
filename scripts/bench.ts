/**
 * `npm run bench`: a large synthetic estate behind the emulators, scanned through the
 * production code path, with the figures compared against lower bounds computed from the
 * estate (bench/bounds.ts).
 *
 *   npm run bench -- [--clusters 10] [--pods-per-cluster 2000] [--repos 400] [--registries 2]
 *                    [--tags 300] [--latency-ms 20] [--concurrency 8] [--runs 1] [--warmup 1]
 *                    [--acr-reads-per-second N] [--growth] [--no-overrides]
 *   npm run bench -- --pushes [N] [--push-spacing-ms 3000] [--grace-seconds 10] [estate flags]
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
 * finishing under throttling. The estate has settings of its own in a realistic share
 * (bench/overrides.ts: a staging cluster through CLUSTER_SETTINGS, pinned patterns, opted-out
 * workloads, a sidecar on its own pattern, namespaces with their own channel); `--no-overrides`
 * scans the same estate without them.
 *
 * `--pushes N` (8 when N is left out) runs the push scenario instead (scripts/bench/push.ts):
 * N tags pushed over time across the estate, delivered by the emulated Event Grid into an
 * Azurite queue, checked by the app in a Functions host stand-in (the estate without settings
 * of its own); it prints the detection latency of each alert and the requests the checks cost.
 *
 * Prints a table, then, as the last line, one JSON object with the figures. The parts, in
 * scripts/bench/: the flags (flags.ts), the runs (run.ts) and what is printed (report.ts).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseFlags } from './bench/flags.js';
import { benchPushes } from './bench/push.js';
import { figuresOf, round2, table } from './bench/report.js';
import { benchOnce } from './bench/run.js';

const childEntry = fileURLToPath(import.meta.url);

/** The scanning child: one scan, its figures sent to the parent. */
async function child(): Promise<void> {
  const { scanOnce } = await import('../bench/scanOnce.js');
  const figures = await scanOnce(process.env);
  process.send?.(figures);
  process.disconnect?.();
}

async function main(): Promise<void> {
  const flags = parseFlags(process.argv.slice(2));
  const log = (line: string) => console.log(line);
  const pkiDir = mkdtempSync(join(tmpdir(), 'acr-aks-sync-bench-pki-'));
  try {
    log(`acr-aks-sync bench on Node ${process.version}, ${availableParallelism()} CPUs (${cpus()[0]?.model.trim() ?? 'unknown'}), ${new Date().toISOString()}`);
    if (flags.pushes > 0) {
      const figures = await benchPushes(flags, pkiDir, log);
      console.log(JSON.stringify({ ...figures, node: process.version, cpus: availableParallelism(), date: new Date().toISOString() }));
      return;
    }
    const base = await benchOnce({ flags, pkiDir, childEntry, log });
    log('');
    log(table(base));
    let json = figuresOf(base);
    if (flags.growth) {
      const big = await benchOnce({ flags: { ...flags, podsPerCluster: flags.podsPerCluster * 10 }, pkiDir, childEntry, log });
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
