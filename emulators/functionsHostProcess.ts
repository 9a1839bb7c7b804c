/**
 * The app as a Functions host runs it: the host stand-in (functionsHost.ts) with `imagePushed`
 * on PUSH_QUEUE and `scanCluster` on SCAN_QUEUE, and the `scan` timer function on request. The
 * app reads its settings from the environment, as deployed.
 *
 * Run as a script, it is that app in a process of its own (started by functionsHostClient.ts for
 * the demo and the benchmark), because NODE_EXTRA_CA_CERTS, which makes Node trust the
 * emulators' test CA, is only read when a process starts. Over IPC it sends
 * `{ type: 'log', line }` for every line the host and the functions log and `{ type: 'ready' }`
 * once polling; it takes `{ type: 'timer' }` (answered with `{ type: 'timer-done', ms, error? }`)
 * and `{ type: 'stop' }`.
 */
import { fileURLToPath } from 'node:url';
// A default import: @azure/functions is CommonJS, and its named class exports fail under plain Node (the demo, the bench).
import azureFunctions from '@azure/functions';
import { readSetting, settingText } from '../src/config/settings.js';
import { imagePushedQueueHandler } from '../src/functions/imagePushed.js';
import { scanTimerHandler } from '../src/functions/scan.js';
import { scanClusterQueueHandler } from '../src/functions/scanCluster.js';
import { startFunctionsHost } from './functionsHost.js';

export type HostRequest = { type: 'timer' } | { type: 'stop' };
export type HostMessage = { type: 'log'; line: string } | { type: 'ready' } | { type: 'timer-done'; ms: number; error?: string };

export interface AppInHost {
  /** Runs the `scan` timer function once; resolves with its duration (ms), rejects when it fails. */
  runTimer(): Promise<number>;
  stop(): Promise<void>;
}

/** The app's queue functions polled from the storage of AzureWebJobsStorage (a connection string), and its timer on call. */
export function startAppInHost(env: Record<string, string | undefined>, log: (line: string) => void): AppInHost {
  const connectionString = env.AzureWebJobsStorage;
  if (!connectionString) throw new Error("AzureWebJobsStorage (Azurite's connection string) is not set");
  const host = startFunctionsHost({
    connectionString,
    functions: [
      { name: 'imagePushed', queueName: readSetting('PUSH_QUEUE', settingText(env.PUSH_QUEUE)), handler: imagePushedQueueHandler },
      { name: 'scanCluster', queueName: readSetting('SCAN_QUEUE', settingText(env.SCAN_QUEUE)), handler: scanClusterQueueHandler },
    ],
    log,
  });
  const timer = { isPastDue: false, schedule: { adjustForDST: true }, scheduleStatus: { last: '', next: '', lastUpdated: '' } };
  return {
    async runTimer() {
      const started = performance.now();
      const context = new azureFunctions.InvocationContext({ invocationId: 'timer', functionName: 'scan', logHandler: (level, ...args) => log(`${level} scan ${args.join(' ')}`) });
      await scanTimerHandler(timer, context);
      return performance.now() - started;
    },
    stop: () => host.stop(),
  };
}

const send = (message: HostMessage): void => void process.send?.(message);

function main(): void {
  const app = startAppInHost(process.env, (line) => send({ type: 'log', line }));
  process.on('message', (request: HostRequest) => {
    if (request.type === 'stop') {
      void app.stop().then(() => process.exit(0));
      return;
    }
    app.runTimer().then(
      (ms) => send({ type: 'timer-done', ms }),
      (error: unknown) => send({ type: 'timer-done', ms: 0, error: error instanceof Error ? error.message : String(error) }),
    );
  });
  send({ type: 'ready' });
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  try {
    main();
  } catch (error) {
    console.error(error);
    process.exit(1);
  }
}
