/**
 * The metrics export of a process, as the entry points start it: when
 * APPLICATIONINSIGHTS_CONNECTION_STRING is set, to that Application Insights resource with the
 * app's identity (`DefaultAzureCredential`: the managed identity deployed, `az login` locally);
 * otherwise none, and nothing of the SDK or the exporter is loaded. A setting that cannot work
 * is logged at error level and the scans go on without metrics.
 */
import type { Config } from '../config/config.js';
import { describeTelemetryProblem, readTelemetryConnectionString } from '../config/telemetrySettings.js';
import { createAzureCredential } from '../identity/createAzureCredential.js';
import type { Logger } from '../log/logger.js';
import { startMetricsExport, type MetricsExport } from '../metrics/metricsExport.js';

export interface TelemetryOptions {
  /** Keep unsent metrics on disk for a later export: for the long-lived function app, not the CLI. */
  offlineStorage: boolean;
}

/** The export, or null (not configured, or it cannot start: then logged). */
export async function startTelemetry(env: Record<string, string | undefined>, config: Pick<Config, 'azureClientId'>, logger: Logger, options: TelemetryOptions): Promise<MetricsExport | null> {
  let connectionString: string | undefined;
  try {
    connectionString = readTelemetryConnectionString(env);
    if (connectionString === undefined) return null;
    // Not bound to one run: the export outlives the invocation that started it.
    return await startMetricsExport({ connectionString, credential: createAzureCredential(config), offlineStorage: options.offlineStorage });
  } catch (error) {
    logger.error('metrics export not started', { reason: describeTelemetryProblem(error) });
    return null;
  }
}

/** Flushes the export, logging a failure as a warning: metrics that could not be sent never fail a scan. */
export async function flushTelemetry(telemetry: MetricsExport | null, logger: Logger, how: 'flush' | 'shutdown' = 'flush'): Promise<void> {
  if (!telemetry) return;
  const failure = how === 'flush' ? await telemetry.flush() : await telemetry.shutdown();
  if (failure !== null) logger.warn('metrics not sent to Application Insights', { reason: failure });
}
