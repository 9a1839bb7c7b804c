/**
 * The deployment package (what azd uploads): only the bundle, its licence notices, package.json and
 * host.json; the zip holds the same bytes at the same paths; and the packaged entry point registers
 * the functions under plain Node, with the worker's `@azure/functions-core` stood in for.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { unzipSync } from 'fflate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildFunctionPackage, loadProbe, PACKAGE_MAIN, writeFunctionsCoreStandIn, zipFunctionPackage, type BuiltPackage, type LoadMeasurement } from '../../scripts/functionPackage.js';
import { runProcess } from '../support/runProcess.js';

const root = join(import.meta.dirname, '..', '..');
let work: string;
let pkg: BuiltPackage;

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'function-package-'));
  pkg = await buildFunctionPackage(root, join(work, 'package'));
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

async function load(env: Record<string, string>, telemetry = false): Promise<{ code: number; stderr: string; measurement: LoadMeasurement }> {
  const entry = pathToFileURL(join(pkg.dir, PACKAGE_MAIN)).href;
  const result = await runProcess(process.execPath, ['--input-type=module', '-e', loadProbe(entry, { telemetry })], { env: { PATH: process.env.PATH, ...env } });
  return { code: result.code, stderr: result.stderr, measurement: JSON.parse(result.stdout.trim().split('\n').pop() ?? '{}') as LoadMeasurement };
}

describe('function package', () => {
  it('ships the bundle and its on-demand chunks, its licence notices, package.json and host.json, and no node_modules', () => {
    const chunks = pkg.files.filter((f) => f.startsWith('chunks/'));
    expect(pkg.files.filter((f) => !chunks.includes(f))).toEqual(['host.json', 'index.js', 'index.js.LEGAL.txt', 'package.json']);
    expect(chunks.length).toBeGreaterThan(0);
    for (const chunk of chunks) expect(chunk).toMatch(/^chunks\/[\w-]+\.js$/);
    const manifest = JSON.parse(readFileSync(join(pkg.dir, 'package.json'), 'utf8')) as Record<string, unknown>;
    expect(manifest).toMatchObject({ type: 'module', main: PACKAGE_MAIN });
    expect(manifest).not.toHaveProperty('dependencies');
    expect(readFileSync(join(pkg.dir, 'host.json'), 'utf8')).toBe(readFileSync(join(root, 'host.json'), 'utf8'));
  });

  it('zips exactly the same files and bytes', () => {
    const zipPath = join(work, 'package.zip');
    const bytes = zipFunctionPackage(pkg, zipPath);
    const entries = unzipSync(readFileSync(zipPath));
    expect(bytes).toBe(readFileSync(zipPath).byteLength);
    expect(Object.keys(entries).sort()).toEqual([...pkg.files]);
    for (const file of pkg.files) expect(Buffer.from(entries[file] ?? []).equals(readFileSync(join(pkg.dir, file))), file).toBe(true);
  });

  it(`registers the timer and HTTP functions (scanNow, status) under plain Node ${process.version}, and the queue function in queue mode`, async () => {
    const standIn = writeFunctionsCoreStandIn(join(work, 'worker'));
    const inline = await load({ NODE_PATH: standIn });
    expect(inline.stderr).not.toMatch(/SyntaxError|does not provide an export|ERR_|Dynamic require/);
    expect(inline.code).toBe(0);
    expect(inline.measurement.functions).toEqual([
      { name: 'scan', triggers: ['timerTrigger'] },
      { name: 'scanNow', triggers: ['httpTrigger'] },
      { name: 'status', triggers: ['httpTrigger'] },
    ]);
    const queue = await load({ NODE_PATH: standIn, SCAN_FANOUT: 'queue' });
    expect(queue.measurement.functions.map((f) => f.name)).toEqual(['scan', 'scanNow', 'scanCluster', 'status']);
    expect(queue.measurement.functions[2]?.triggers).toEqual(['queueTrigger']);
  });

  it('starts the metrics export from the package, as the first invocation with APPLICATIONINSIGHTS_CONNECTION_STRING does', async () => {
    const standIn = writeFunctionsCoreStandIn(join(work, 'worker-telemetry'));
    const started = await load({ NODE_PATH: standIn }, true);
    expect(started.stderr).not.toMatch(/Error|not a constructor/);
    expect(started.code).toBe(0);
    expect(started.measurement.functions.map((f) => f.name)).toEqual(['scan', 'scanNow', 'status']);
  });

  it('loads without the worker too (the functions package then runs in its test mode)', async () => {
    const plain = await load({});
    expect(plain.code).toBe(0);
    expect(plain.measurement.functions).toEqual([]);
  });
});
