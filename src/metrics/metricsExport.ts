/**
 * Sends the metrics to Application Insights: an OpenTelemetry MeterProvider, installed as the
 * global one (instruments.ts records through it), whose reader exports through the Azure Monitor
 * exporter, authenticated with the given credential (the app's managed identity: Application
 * Insights has local authentication off, so only Entra tokens are accepted).
 *
 * Why this package, pinned at 1.0.0-beta.42: the distro `@azure/monitor-opentelemetry` (1.21)
 * and the exporter from beta.43 declare Node >= 22, while the project supports Node 20.3+, and the
 * distro also pulls a dozen auto-instrumentations we do not use. Measured with `npm run package`
 * on 29 November 2026, 19:25 UTC (medians of 11 cold loads, CPU time, paired with the code before
 * metrics): Node 20.20, a cold start without APPLICATIONINSIGHTS_CONNECTION_STRING 186-189 ms and
 * 88 MB (before: 175 ms, 84-85 MB), with the export started 195-196 ms and 89 MB; Node 22.23,
 * 193 ms and 94 MB without (before: 195 ms, 94 MB), 205 ms and 95 MB with it.
 *
 * The SDK and the exporter are imported only when an export is started (a connection string is
 * set), so the CLI and an app without Application Insights load none of them. Each run flushes
 * before it ends (`flush`): the Functions host may freeze the instance right after an
 * invocation, and the CLI exits.
 *
 * The exporter's "statsbeat" (its own usage telemetry, sent to a Microsoft endpoint rather than
 * to the configured resource) is turned off with its only switch, an environment variable, so the
 * app talks to nothing but the ingestion endpoint of its connection string.
 */
import { metrics } from '@opentelemetry/api';
import type { PushMetricExporter, ResourceMetrics } from '@opentelemetry/sdk-metrics';
import type { TokenCredential } from '@azure/identity';

export interface MetricsExportOptions {
  /** APPLICATIONINSIGHTS_CONNECTION_STRING. */
  connectionString: string;
  credential: TokenCredential;
  /** Keep what could not be sent on disk and send it later (the exporter's offline storage); off for one-off processes. */
  offlineStorage: boolean;
  /** The longest a flush waits for the ingestion endpoint (default 10 s). */
  exportTimeoutMs?: number;
}

export interface MetricsExport {
  /** Sends what was recorded since the last export; resolves with why it failed, or null. Never rejects. */
  flush(): Promise<string | null>;
  /** Flushes, then stops the export (the CLI, before it exits). */
  shutdown(): Promise<string | null>;
}

const DEFAULT_EXPORT_TIMEOUT_MS = 10_000;
/** Between flushes, what is recorded is still sent once a minute. */
const EXPORT_INTERVAL_MS = 60_000;
const STATSBEAT_SWITCH = 'APPLICATION_INSIGHTS_NO_STATSBEAT';

/**
 * The exporter, remembering for `flush` to report what went wrong: an export that failed, or one
 * still unanswered when the reader's timeout ended the flush (the reader does not say).
 */
function rememberingFailures(exporter: PushMetricExporter, timeoutMs: number): PushMetricExporter & { takeFailure(): string | null } {
  let failure: string | null = null;
  let unanswered = 0;
  return {
    export(data: ResourceMetrics, done) {
      unanswered += 1;
      exporter.export(data, (result) => {
        unanswered -= 1;
        if (result.code !== 0) failure = result.error?.message ?? 'the ingestion endpoint did not accept the metrics';
        done(result);
      });
    },
    forceFlush: () => exporter.forceFlush(),
    shutdown: () => exporter.shutdown(),
    selectAggregationTemporality: exporter.selectAggregationTemporality?.bind(exporter),
    takeFailure() {
      const taken = unanswered > 0 ? `the ingestion endpoint did not answer within ${timeoutMs / 1000} s` : failure;
      failure = null;
      return taken;
    },
  };
}

/** Starts exporting the metrics recorded from now on; throws when the connection string is refused by the exporter. */
export async function startMetricsExport(options: MetricsExportOptions): Promise<MetricsExport> {
  process.env[STATSBEAT_SWITCH] ||= 'true';
  const { AzureMonitorMetricExporter, MeterProvider, PeriodicExportingMetricReader, resourceFromAttributes } = await import('./monitorSdk.js');
  const timeout = options.exportTimeoutMs ?? DEFAULT_EXPORT_TIMEOUT_MS;
  const exporter = rememberingFailures(
    new AzureMonitorMetricExporter({ connectionString: options.connectionString, credential: options.credential, disableOfflineStorage: !options.offlineStorage }),
    timeout,
  );
  const reader = new PeriodicExportingMetricReader({ exporter, exportIntervalMillis: Math.max(EXPORT_INTERVAL_MS, timeout), exportTimeoutMillis: timeout });
  const provider = new MeterProvider({ resource: resourceFromAttributes({ 'service.name': 'acr-aks-sync' }), readers: [reader] });
  if (!metrics.setGlobalMeterProvider(provider)) {
    await provider.shutdown();
    throw new Error('another OpenTelemetry meter provider is already installed in this process');
  }
  const flush = async (): Promise<string | null> => {
    try {
      await provider.forceFlush();
    } catch (error) {
      return error instanceof Error ? error.message : String(error);
    }
    return exporter.takeFailure();
  };
  return {
    flush,
    async shutdown() {
      const failure = await flush();
      await provider.shutdown().catch(() => undefined);
      metrics.disable();
      return failure;
    },
  };
}
