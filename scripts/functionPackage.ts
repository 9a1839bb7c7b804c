/**
 * The function app's deployment package: exactly the folder azd zips and uploads (azure.yaml
 * `dist: dist/package`), and the same files zipped.
 *
 * Why a bundle: shipping node_modules meant every devDependency (about 29,700 files, 70 MB zipped)
 * was downloaded at each cold start, and loading the compiled entry point took 0.75-0.95 s and
 * 136 MB RSS before any scan (measured here on 29 November 2026, Node 20.20). One esbuild bundle of
 * src/functions/index.ts with its dependencies zips to about 0.7 MB and loads in about 0.16-0.18 s
 * of CPU at 82 MB RSS (Node 20; 91 MB on Node 22). Measured variants, same day and machine: no
 * minification 90/101 MB; whitespace and syntax minification 82/91 MB (chosen); that plus keepNames
 * 90/101 MB; full minification 85/94 MB with mangled names in stack traces. Identifiers keep their
 * names, so stack traces stay readable. Only `@azure/functions-core` stays external: the Functions
 * Node worker provides it at run time. The app is ESM, and some bundled packages are CommonJS that
 * call require() for Node built-ins, hence the createRequire banner.
 *
 * What is imported only on demand goes into chunks of its own (`chunks/`, esbuild's splitting):
 * above all the OpenTelemetry SDK and the Azure Monitor exporter, loaded only when
 * APPLICATIONINSIGHTS_CONNECTION_STRING is set. Measured on 29 November 2026 (Node 20.20, 11 cold
 * loads, median CPU): one file with them inside, 200 ms and 91 MB at load without telemetry; split,
 * 185-189 ms and 88 MB (and 213-222 ms and 90 MB with the export started).
 *
 * Why `mainFields: ['module', 'main']`: the OpenTelemetry packages (sdk-metrics, resources, core)
 * have no "exports" map, so esbuild's default for Node took their CommonJS builds, which cannot be
 * tree-shaken and require() all of @opentelemetry/semantic-conventions (178 KB of constants).
 * Their ES module builds drop what is not used. Measured on 29 November 2026, 19:24 UTC (11 cold
 * loads): with the export started, Node 22 102 MB -> 95 MB and 229 -> 208 ms CPU, Node 20 90-91 MB
 * -> 89 MB and 214 -> 200 ms; zip 872 KB -> 808 KB; the main bundle (a cold start without
 * telemetry) unchanged within 1 KB, 88 MB on Node 20 and 94 MB on Node 22.
 */
import { build } from 'esbuild';
import { zipSync, type Zippable } from 'fflate';
import { mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';

/** The only module left to the Functions worker. */
export const WORKER_PROVIDED = ['@azure/functions-core'];

/** Entry point inside the package, named by its package.json "main". */
export const PACKAGE_MAIN = 'index.js';

export interface BuiltPackage {
  readonly dir: string;
  /** Paths relative to `dir`, sorted, with forward slashes (the chunks under `chunks/`). */
  readonly files: readonly string[];
}

function listFiles(dir: string, base = dir): string[] {
  return readdirSync(dir)
    .flatMap((name) => {
      const path = join(dir, name);
      return statSync(path).isDirectory() ? listFiles(path, base) : [relative(base, path).split('\\').join('/')];
    })
    .sort();
}

/** Builds the package folder `outDir` (emptied first) from the project at `root`. */
export async function buildFunctionPackage(root: string, outDir: string): Promise<BuiltPackage> {
  rmSync(outDir, { recursive: true, force: true });
  mkdirSync(outDir, { recursive: true });
  await build({
    entryPoints: { index: join(root, 'src', 'functions', 'index.ts') },
    outdir: outDir,
    splitting: true,
    mainFields: ['module', 'main'],
    chunkNames: 'chunks/[name]-[hash]',
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20.3',
    external: WORKER_PROVIDED,
    minifyWhitespace: true,
    minifySyntax: true,
    legalComments: 'external',
    logLevel: 'warning',
    banner: { js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);" },
  });
  const project = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { name: string; version: string; engines?: unknown };
  const manifest = { name: project.name, version: project.version, private: true, type: 'module', main: PACKAGE_MAIN, engines: project.engines };
  writeFileSync(join(outDir, 'package.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  writeFileSync(join(outDir, 'host.json'), readFileSync(join(root, 'host.json')));
  return { dir: outDir, files: listFiles(outDir) };
}

/** Zips the package's files at the same paths (fixed timestamps, so the same input gives the same zip). */
export function zipFunctionPackage(pkg: BuiltPackage, zipPath: string): number {
  const entries: Zippable = {};
  for (const file of pkg.files) entries[file] = [readFileSync(join(pkg.dir, file)), { level: 9, mtime: new Date('2026-01-01T00:00:00Z') }];
  const zip = zipSync(entries);
  mkdirSync(dirname(zipPath), { recursive: true });
  writeFileSync(zipPath, zip);
  return zip.byteLength;
}

/**
 * A stand-in for the worker's `@azure/functions-core` that records what the app registers, so the
 * package can be loaded, measured and checked under plain Node. Written to `dir`; put it on
 * NODE_PATH of the process that loads the package. Never part of the package.
 */
export function writeFunctionsCoreStandIn(dir: string): string {
  const moduleDir = join(dir, '@azure', 'functions-core');
  mkdirSync(moduleDir, { recursive: true });
  writeFileSync(
    join(moduleDir, 'index.js'),
    [
      'const registered = (globalThis.__registeredFunctions = []);',
      'const disposable = { dispose() {} };',
      'module.exports = {',
      '  setProgrammingModel() {},',
      '  getProgrammingModel() { return undefined; },',
      '  registerFunction(metadata) { registered.push(metadata); return disposable; },',
      '  registerHook() { return disposable; },',
      '  log() {},',
      '};',
      '',
    ].join('\n'),
  );
  return dir;
}

export interface LoadMeasurement {
  readonly load_ms: number;
  /** CPU time of the same import: steadier than wall time on a shared machine. */
  readonly load_cpu_ms: number;
  readonly rss_after_load_mb: number;
  /** Registered functions with their trigger binding types. */
  readonly functions: readonly { name: string; triggers: string[] }[];
}

/**
 * What the first invocation with APPLICATIONINSIGHTS_CONNECTION_STRING adds to a cold start: the
 * metrics export started (the SDK and the exporter loaded, the provider made), with a connection
 * string to an address nothing listens on and a credential never asked (nothing is exported).
 */
const START_TELEMETRY = [
  'await m.startMetricsExport({',
  "  connectionString: 'InstrumentationKey=00000000-0000-0000-0000-000000000000;IngestionEndpoint=https://127.0.0.1:9/',",
  '  credential: { getToken: async () => null },',
  '  offlineStorage: false,',
  '});',
].join('\n');

/**
 * Code for `node --input-type=module -e`: imports the entry point (and with `telemetry`, starts
 * the metrics export as the first invocation would) and prints one measurement.
 */
export function loadProbe(entryUrl: string, options: { telemetry?: boolean } = {}): string {
  return [
    'const t0 = performance.now();',
    'const cpu0 = process.cpuUsage();',
    `const m = await import(${JSON.stringify(entryUrl)});`,
    ...(options.telemetry ? [START_TELEMETRY] : []),
    'const loadMs = performance.now() - t0;',
    'const cpu = process.cpuUsage(cpu0);',
    'const functions = (globalThis.__registeredFunctions ?? []).map((m) => ({ name: m.name, triggers: Object.values(m.bindings ?? {}).map((b) => b.type).filter((t) => /trigger$/i.test(t)) }));',
    'console.log(JSON.stringify({ load_ms: Math.round(loadMs), load_cpu_ms: Math.round((cpu.user + cpu.system) / 1000), rss_after_load_mb: Math.round(process.memoryUsage().rss / 1048576), functions }));',
  ].join('\n');
}
