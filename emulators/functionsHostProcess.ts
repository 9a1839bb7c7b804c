/**
 * The app as a Functions host runs it, in a process of its own (started by functionsHostClient.ts
 * for the demo and the benchmark): the host stand-in (functionsHost.ts) with `imagePushed` on
 * PUSH_QUEUE and `scanCluster` on SCAN_QUEUE, and the `scan` timer function on request. A child
 * process because NODE_EXTRA_CA_CERTS, which makes Node trust the emulators' test CA, is only
 * read when a process starts; and the app reads its settings from the environment, as deployed.
 *
 * Over IPC: it sends `{ type: 'log', line }` for every line the host and the functions log and
 * `{ type: 'ready' }` once polling; it takes `{ type: 'timer' }` (answered with
 * `{ type: 'timer-done', ms, error? }`) and `{ type: 'stop' }`.
 */
// A default import: @azure/functions is CommonJS, and its named class exports fail under plain Node (the demo, the bench).
import azureFunctions from '@azure/functions';
import { readSetting, settingText } from '../src/config/settings.js';
import { imagePushedQueueHandler } from '../src/functions/imagePushed.js';
import { scanTimerHandler } from '../src/functions/scan.js';
import { scanClusterQueueHandler } from '../src/functions/scanCluster.js';
import { startFunctionsHost } from './functionsHost.js';

export type HostRequest = { type: 'timer' } | { type: 'stop' };
export type HostMessage = { type: 'log'; line: string } | { type: 'ready' } | { type: 'timer-done'; ms: number; error?: string };

const send = (message: HostMessage): void => void process.send?.(message);

async function main(): Promise<void> {
  const connectionString = process.env.AzureWebJobsStorage;
  if (!connectionString) throw new Error('AzureWebJobsStorage (Azurite\'s connection string) is not set');
  const log = (line: string): void => send({ type: 'log', line });
  const host = startFunctionsHost({
    connectionString,
    functions: [
      { name: 'imagePushed', queueName: readSetting('PUSH_QUEUE', settingText(process.env.PUSH_QUEUE)), handler: imagePushedQueueHandler },
      { name: 'scanCluster', queueName: readSetting('SCAN_QUEUE', settingText(process.env.SCAN_QUEUE)), handler: scanClusterQueueHandler },
    ],
    log,
  });
  const timer = { isPastDue: false, schedule: { adjustForDST: true }, scheduleStatus: { last: '', next: '', lastUpdated: '' } };
  process.on('message', (request: HostRequest) => {
    if (request.type === 'stop') {
      void host.stop().then(() => process.exit(0));
      return;
    }
    const started = performance.now();
    const context = new azureFunctions.InvocationContext({ invocationId: 'timer', functionName: 'scan', logHandler: (level, ...args) => log(`${level} scan ${args.join(' ')}`) });
    scanTimerHandler(timer, context).then(
      () => send({ type: 'timer-done', ms: performance.now() - started }),
      (error: unknown) => send({ type: 'timer-done', ms: performance.now() - started, error: error instanceof Error ? error.message : String(error) }),
    );
  });
  send({ type: 'ready' });
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
