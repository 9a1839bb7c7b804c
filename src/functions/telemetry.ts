/**
 * The function app's metrics export: started by the first invocation that finds
 * APPLICATIONINSIGHTS_CONNECTION_STRING set (so a worker without it loads nothing of it), kept
 * for the worker's life, with the exporter's offline storage on, and flushed by every invocation
 * before it returns (invocation.ts): the host may freeze the instance as soon as it has.
 * A start that failed is logged and tried again by the next invocation, so the error keeps
 * showing until it is fixed.
 */
import type { Config } from '../config/config.js';
import type { Logger } from '../log/logger.js';
import type { MetricsExport } from '../metrics/metricsExport.js';
import { startTelemetry } from '../run/telemetry.js';

let started: Promise<MetricsExport | null> | undefined;

export function workerTelemetry(config: Config, logger: Logger): Promise<MetricsExport | null> {
  if (!started) {
    const starting = startTelemetry(process.env, config, logger, { offlineStorage: true });
    started = starting;
    void starting.then((telemetry) => {
      if (telemetry === null && started === starting) started = undefined;
    });
  }
  return started;
}
