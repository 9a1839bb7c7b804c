/**
 * Registers the functions with the Azure Functions host (v4 programming model). This is the
 * package's `main`, so `func start` and the deployed app find the functions here.
 */
import azureFunctions from '@azure/functions';
import { CONFIG_DEFAULTS } from '../config/config.js';
import { scanClusterQueueHandler } from './scanClusterQueueHandler.js';
import { scanNowHandler, scanTimerHandler } from './scanHandlers.js';
import { slackStartupWarning } from './startupWarning.js';

const { app } = azureFunctions;

// Once per worker start; the host keeps the worker's console output in the app's logs.
const startupWarning = slackStartupWarning(process.env);
if (startupWarning) console.warn(startupWarning);

/** Every 5 minutes (six-field NCRONTAB) unless the app setting SCAN_SCHEDULE says otherwise. */
export const DEFAULT_SCAN_SCHEDULE = '0 */5 * * * *';

app.timer('scan', {
  schedule: process.env.SCAN_SCHEDULE?.trim() || DEFAULT_SCAN_SCHEDULE,
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
if (process.env.SCAN_FANOUT?.trim().toLowerCase() === 'queue') {
  app.storageQueue('scanCluster', {
    queueName: process.env.SCAN_QUEUE?.trim() ? '%SCAN_QUEUE%' : CONFIG_DEFAULTS.SCAN_QUEUE,
    connection: 'AzureWebJobsStorage',
    handler: scanClusterQueueHandler,
  });
}
