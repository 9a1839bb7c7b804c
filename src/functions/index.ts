/**
 * Registers the functions with the Azure Functions host (v4 programming model). This is the
 * package's `main`, so `func start` and the deployed app find both functions here.
 */
import azureFunctions from '@azure/functions';
import { scanNowHandler, scanTimerHandler } from './scanHandlers.js';

const { app } = azureFunctions;

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
