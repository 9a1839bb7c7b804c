/**
 * Registers the functions with the Azure Functions host (v4 programming model). This is the
 * package's `main`, so `func start` and the deployed app find the functions here.
 */
import azureFunctions from '@azure/functions';
import { registrationSettings } from '../config/registrationSettings.js';
import { scanClusterQueueHandler } from './scanClusterQueueHandler.js';
import { scanNowHandler, scanTimerHandler } from './scanHandlers.js';
import { slackStartupWarning } from './startupWarning.js';

const { app } = azureFunctions;
const settings = registrationSettings(process.env);

export { DEFAULT_SCAN_SCHEDULE } from '../config/scanSchedule.js';

// Once per worker start; the host keeps the worker's console output in the app's logs.
const startupWarning = slackStartupWarning(process.env);
if (startupWarning) console.warn(startupWarning);

/**
 * The schedule is checked here as the host checks it, and only a valid one is registered: an
 * invalid one would put the timer function in error on the host, and no scan would ever run.
 * The default runs instead; every timer run and every scanNow response says so (the
 * configuration's `warnings`) until SCAN_SCHEDULE is fixed.
 */
app.timer('scan', {
  schedule: settings.scanSchedule,
  handler: scanTimerHandler,
});

app.http('scanNow', {
  methods: ['GET', 'POST'],
  authLevel: 'function',
  handler: scanNowHandler,
});

/**
 * SCAN_FANOUT=queue: the timer queues one message per cluster and this function scans each,
 * on as many instances as the queue's length calls for. Registered only in that mode, so an
 * inline app neither polls the queue nor needs a role on it. The queue name is the SCAN_QUEUE
 * app setting (a binding expression), or the default when the setting is absent.
 */
if (settings.scanFanout === 'queue') {
  app.storageQueue('scanCluster', {
    queueName: settings.scanQueueBinding,
    connection: 'AzureWebJobsStorage',
    handler: scanClusterQueueHandler,
  });
}
