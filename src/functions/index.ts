/**
 * The package's `main`, which `func start` and the deployed app load (v4 programming model):
 * each function registers itself in its own file, in this order.
 */
import './scan.js';
import './scanNow.js';
import './scanCluster.js';
import './status.js';
import './imagePushed.js';
import { slackStartupWarning } from './startupWarning.js';

export { DEFAULT_SCAN_SCHEDULE } from '../config/scanSchedule.js';
// For `npm run package`, which measures the cold start with telemetry on: this module loaded,
// then the metrics export started as the first invocation with APPLICATIONINSIGHTS_CONNECTION_STRING starts it.
export { startMetricsExport } from '../metrics/metricsExport.js';

// Once per worker start; the host keeps the worker's console output in the app's logs.
const startupWarning = slackStartupWarning(process.env);
if (startupWarning) console.warn(startupWarning);
