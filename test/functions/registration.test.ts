/**
 * The queue-triggered `scanCluster` function is registered only with SCAN_FANOUT=queue or
 * PUSH_CHECKS=true, on the SCAN_QUEUE app setting (or the default queue when the setting is
 * absent), and `imagePushed` only with PUSH_CHECKS=true, on PUSH_QUEUE; under plain Node as the
 * Functions host loads the package's main module (built: run `npm run build` first).
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runProcess } from '../support/runProcess.js';

const root = join(import.meta.dirname, '..', '..');

/** Loads dist/src/functions/index.js with the app's registration calls recorded. */
async function registrations(env: Record<string, string>): Promise<unknown> {
  if (!existsSync(join(root, 'dist', 'src', 'functions', 'index.js'))) throw new Error('dist/ is missing: run `npm run build` first');
  const code = [
    "const f = (await import('@azure/functions')).default;",
    'const calls = [];',
    "for (const kind of ['timer', 'http', 'storageQueue']) f.app[kind] = (name, options) => calls.push({ kind, name, schedule: options.schedule, queueName: options.queueName, connection: options.connection, methods: options.methods, authLevel: options.authLevel, route: options.route, handler: typeof options.handler });",
    "await import('./dist/src/functions/index.js');",
    'console.log(JSON.stringify(calls));',
  ].join('\n');
  const result = await runProcess(process.execPath, ['--input-type=module', '-e', code], { cwd: root, env: { PATH: process.env.PATH, ...env } });
  expect(result.stderr).not.toMatch(/SyntaxError|does not provide an export|ERR_/);
  expect(result.code).toBe(0);
  return JSON.parse(result.stdout.trim().split('\n').pop() ?? '[]') as unknown;
}

describe('function registration', () => {
  it('registers the timer and the HTTP functions, and no queue trigger, by default', async () => {
    expect(await registrations({})).toEqual([
      { kind: 'timer', name: 'scan', schedule: '0 */5 * * * *', handler: 'function' },
      { kind: 'http', name: 'scanNow', methods: ['GET', 'POST'], authLevel: 'function', handler: 'function' },
      { kind: 'http', name: 'status', methods: ['GET'], authLevel: 'function', route: 'status', handler: 'function' },
    ]);
  });

  it('adds the scanCluster queue trigger on the SCAN_QUEUE setting with SCAN_FANOUT=queue', async () => {
    const calls = (await registrations({ SCAN_FANOUT: 'queue', SCAN_QUEUE: 'my-clusters' })) as Array<Record<string, unknown>>;
    expect(calls.find((c) => c.kind === 'storageQueue')).toEqual({
      kind: 'storageQueue',
      name: 'scanCluster',
      queueName: '%SCAN_QUEUE%',
      connection: 'AzureWebJobsStorage',
      handler: 'function',
    });
  });

  it('uses the default queue name when SCAN_QUEUE is not set', async () => {
    const calls = (await registrations({ SCAN_FANOUT: 'Queue' })) as Array<Record<string, unknown>>;
    expect(calls.find((c) => c.kind === 'storageQueue')?.queueName).toBe('acrsync-clusters');
  });

  it('adds scanCluster on SCAN_QUEUE and imagePushed on PUSH_QUEUE with PUSH_CHECKS=true, inline fan-out too', async () => {
    const calls = (await registrations({ PUSH_CHECKS: 'true', PUSH_QUEUE: 'acr-events' })) as Array<Record<string, unknown>>;
    expect(calls.filter((c) => c.kind === 'storageQueue')).toEqual([
      { kind: 'storageQueue', name: 'scanCluster', queueName: 'acrsync-clusters', connection: 'AzureWebJobsStorage', handler: 'function' },
      { kind: 'storageQueue', name: 'imagePushed', queueName: '%PUSH_QUEUE%', connection: 'AzureWebJobsStorage', handler: 'function' },
    ]);
    const defaults = (await registrations({ PUSH_CHECKS: 'true' })) as Array<Record<string, unknown>>;
    expect(defaults.find((c) => c.name === 'imagePushed')?.queueName).toBe('acrsync-pushes');
  });

  // The parser itself is tested in test/config/scanSchedule.test.ts; each case here is a process.
  it.each([
    ['*/10 * * * *', '*/10 * * * *'],
    ['  0  */15 * * * Mon-Fri ', '0 */15 * * * Mon-Fri'],
    ['00:10:00', '00:10:00'],
  ])('registers the timer on a valid SCAN_SCHEDULE %j as %j', async (setting, schedule) => {
    const calls = (await registrations({ SCAN_SCHEDULE: setting })) as Array<Record<string, unknown>>;
    expect(calls.find((c) => c.kind === 'timer')?.schedule).toBe(schedule);
  });

  it.each(['0 0 9 ? * MON', '0 0 0 * * 7', '5'])(
    'registers the default schedule, never the invalid SCAN_SCHEDULE %j, which would put the timer in error',
    async (setting) => {
      const calls = (await registrations({ SCAN_SCHEDULE: setting })) as Array<Record<string, unknown>>;
      expect(calls.find((c) => c.kind === 'timer')?.schedule).toBe('0 */5 * * * *');
      expect(calls.map((c) => c.name)).toEqual(['scan', 'scanNow', 'status']);
    },
  );
});
