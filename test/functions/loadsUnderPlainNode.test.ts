/**
 * The module that registers the functions must load under plain Node (20 and 22), not only
 * inside vitest, which hides ESM/CommonJS interop problems of @azure/functions.
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..', '..');

function runNode(code: string): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--input-type=module', '-e', code], { cwd: root, env: { PATH: process.env.PATH, SCAN_SCHEDULE: '0 0 * * * *' } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('exit', (exitCode) => resolve({ code: exitCode ?? -1, stdout, stderr }));
  });
}

describe('package main under plain Node', () => {
  it(`loads the functions module named by package.json "main" (${process.version})`, async () => {
    const main = (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { main: string }).main;
    expect(main).toBe('dist/src/functions/index.js');
    const result = await runNode(
      `const m = await import(${JSON.stringify(`./${main}`)}); const h = await import('./dist/src/functions/scanHandlers.js'); console.log(JSON.stringify({ schedule: m.DEFAULT_SCAN_SCHEDULE, handlers: [typeof h.scanTimerHandler, typeof h.scanNowHandler] }));`,
    );
    expect(result.stderr).not.toMatch(/SyntaxError|does not provide an export|ERR_/);
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout.trim().split('\n').pop() ?? '{}')).toEqual({ schedule: '0 */5 * * * *', handlers: ['function', 'function'] });
  });
});
