/**
 * `npm run package`: builds the deployment package (dist/package, what azd uploads; see
 * scripts/functionPackage.ts), zips it to dist/package.zip, loads the packaged entry point in
 * fresh Node processes and prints, as its last line, one JSON object with the figures: `load_ms`,
 * `load_cpu_ms` and `rss_after_load_mb` for a cold start as the app has it without
 * APPLICATIONINSIGHTS_CONNECTION_STRING, and `telemetry_*` for one with it (the module loaded, then
 * the metrics export started, as the first invocation starts it).
 *
 * Usage: npm run package [-- --runs N]   (N cold loads, default 7; the median is reported)
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { buildFunctionPackage, loadProbe, PACKAGE_MAIN, writeFunctionsCoreStandIn, zipFunctionPackage, type LoadMeasurement } from './functionPackage.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const outDir = join(root, 'dist', 'package');
const zipPath = join(root, 'dist', 'package.zip');

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? (sorted[mid] ?? 0) : Math.round(((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2);
}

function runsArgument(): number {
  const index = process.argv.indexOf('--runs');
  const runs = index === -1 ? 7 : Number(process.argv[index + 1]);
  if (!Number.isInteger(runs) || runs < 1) throw new Error(`--runs needs a whole number of at least 1, e.g. --runs 7`);
  return runs;
}

/** One cold load in a new Node process, with nothing but PATH and the worker stand-in (and the metrics export started, with `telemetry`). */
function coldLoad(standIn: string, telemetry = false): LoadMeasurement {
  const entry = pathToFileURL(join(outDir, PACKAGE_MAIN)).href;
  const child = spawnSync(process.execPath, ['--input-type=module', '-e', loadProbe(entry, { telemetry })], {
    env: { PATH: process.env.PATH, NODE_PATH: standIn },
    encoding: 'utf8',
  });
  if (child.status !== 0) throw new Error(`the packaged entry point did not load:\n${child.stderr}`);
  return JSON.parse(child.stdout.trim().split('\n').pop() ?? '{}') as LoadMeasurement;
}

const runs = runsArgument();
const pkg = await buildFunctionPackage(root, outDir);
const zipBytes = zipFunctionPackage(pkg, zipPath);
const standIn = writeFunctionsCoreStandIn(mkdtempSync(join(tmpdir(), 'functions-core-')));
try {
  const loads = Array.from({ length: runs }, () => coldLoad(standIn));
  const withTelemetry = Array.from({ length: runs }, () => coldLoad(standIn, true));
  const functions = loads[0]?.functions ?? [];
  console.log(`package: ${outDir} (${pkg.files.length} files: ${pkg.files.join(', ')})`);
  console.log(`zip: ${zipPath} (${zipBytes} bytes)`);
  console.log(`registered: ${functions.map((f) => `${f.name} (${f.triggers.join(', ')})`).join(', ')}`);
  console.log(
    JSON.stringify({
      zip_bytes: zipBytes,
      files: pkg.files.length,
      load_ms: median(loads.map((l) => l.load_ms)),
      load_cpu_ms: median(loads.map((l) => l.load_cpu_ms)),
      rss_after_load_mb: median(loads.map((l) => l.rss_after_load_mb)),
      telemetry_load_ms: median(withTelemetry.map((l) => l.load_ms)),
      telemetry_load_cpu_ms: median(withTelemetry.map((l) => l.load_cpu_ms)),
      telemetry_rss_after_load_mb: median(withTelemetry.map((l) => l.rss_after_load_mb)),
      runs,
      node: process.version,
      functions: functions.map((f) => f.name),
    }),
  );
} finally {
  rmSync(standIn, { recursive: true, force: true });
}
