/** The command line of `npm run bench` (scripts/bench.ts documents the flags). */
import { parseArgs } from 'node:util';

export interface BenchFlags {
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
  /** Settings of their own in a realistic share of the estate (bench/overrides.ts); off with --no-overrides. */
  overrides: boolean;
  /** The push scenario instead of the scan: this many pushes (0: none). */
  pushes: number;
  pushSpacingMs: number;
  graceSeconds: number;
}

/** Pushes of `--pushes` given without a number: enough for figures, done in about a minute. */
export const DEFAULT_PUSHES = 8;

/** `--pushes` without a number means DEFAULT_PUSHES. */
function withPushesCount(argv: string[]): string[] {
  return argv.flatMap((arg, i) => (arg === '--pushes' && !/^\d+$/.test(argv[i + 1] ?? '') ? [arg, String(DEFAULT_PUSHES)] : [arg]));
}

export function parseFlags(argv: string[]): BenchFlags {
  const { values } = parseArgs({
    args: withPushesCount(argv),
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
      'no-overrides': { type: 'boolean', default: false },
      pushes: { type: 'string', default: '0' },
      'push-spacing-ms': { type: 'string', default: '3000' },
      'grace-seconds': { type: 'string', default: '10' },
      help: { type: 'boolean', default: false },
    },
    strict: true,
  });
  if (values.help) {
    console.log(
      'npm run bench -- [--clusters N] [--pods-per-cluster N] [--repos N] [--registries N] [--tags N] [--latency-ms N] [--concurrency N] [--runs N] [--warmup N] [--acr-reads-per-second N] [--growth] [--no-overrides] [--pushes [N] [--push-spacing-ms N] [--grace-seconds N]]',
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
    overrides: !(values['no-overrides'] ?? false),
    pushes: int('pushes', values.pushes, 0, 500),
    pushSpacingMs: int('push-spacing-ms', values['push-spacing-ms'], 0, 600_000),
    graceSeconds: int('grace-seconds', values['grace-seconds'], 1, 600),
  };
}
