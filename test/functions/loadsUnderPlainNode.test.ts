/**
 * The module that registers the functions must load under plain Node (20 and 22), not only
 * inside vitest, which hides ESM/CommonJS interop problems of @azure/functions.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runProcess } from '../support/runProcess.js';

const root = join(import.meta.dirname, '..', '..');

function runNode(code: string) {
  return runProcess(process.execPath, ['--input-type=module', '-e', code], { cwd: root, env: { PATH: process.env.PATH, SCAN_SCHEDULE: '0 0 * * * *' } });
}

describe('package main under plain Node', () => {
  it(`loads the functions module named by package.json "main" (${process.version})`, async () => {
    const main = (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { main: string }).main;
    expect(main).toBe('dist/src/functions/index.js');
    const result = await runNode(
      `const m = await import(${JSON.stringify(`./${main}`)}); const t = await import('./dist/src/functions/scan.js'); const h = await import('./dist/src/functions/scanNow.js'); console.log(JSON.stringify({ schedule: m.DEFAULT_SCAN_SCHEDULE, handlers: [typeof t.scanTimerHandler, typeof h.scanNowHandler] }));`,
    );
    expect(result.stderr).not.toMatch(/SyntaxError|does not provide an export|ERR_/);
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout.trim().split('\n').pop() ?? '{}')).toEqual({ schedule: '0 */5 * * * *', handlers: ['function', 'function'] });
  });
});
