/**
 * The app in the Functions host stand-in in this test process (the benchmark starts it as a
 * process of its own; a vitest worker already trusts the test CA): `env` becomes this process's
 * environment, where the app reads its settings. The caller restores the environment.
 */
import { followLog } from '../../emulators/functionsHostClient.js';
import { startAppInHost } from '../../emulators/functionsHostProcess.js';
import type { PushBenchApp } from '../../bench/pushRun.js';

export function startInProcessApp(env: Record<string, string>): Promise<PushBenchApp> {
  for (const key of Object.keys(process.env)) if (/^(SLACK_|CLUSTERS|REGISTRIES|TAG_PATTERN|GRACE_PERIOD|ACR_|EXCLUDED_|SCAN_|STATE_|PUSH_|AZURE_CLIENT_ID|AzureWebJobsStorage)/.test(key)) delete process.env[key];
  Object.assign(process.env, env);
  const log = followLog();
  const app = startAppInHost(process.env, (line) => log.add(line));
  return Promise.resolve({ logs: log.logs, waitForLog: log.waitForLog, runTimer: () => app.runTimer(), stop: () => app.stop() });
}
