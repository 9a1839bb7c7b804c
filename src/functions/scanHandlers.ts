/**
 * The function handlers, kept apart from their registration so they can be called directly
 * (tests, other hosts). Type-only imports: the package is CommonJS and its named classes do
 * not load from ESM under plain Node.
 */
import type { HttpRequest, HttpResponseInit, InvocationContext, Timer } from '@azure/functions';
import { createStateStore } from '../alerts/state/createStateStore.js';
import { aksClusterSources } from '../clusters/aksClusterSources.js';
import { ConfigError, loadConfig, type Config } from '../config/config.js';
import { clustersToQueue } from '../fanout/clusterFanout.js';
import { createScanQueueClient, enqueueClusterScans } from '../fanout/scanQueue.js';
import { createAzureCredential } from '../identity/createAzureCredential.js';
import type { Logger } from '../log/logger.js';
import type { ScanReport } from '../model/finding.js';
import { runScan, type ScanRunResult } from '../run/runScan.js';
import { contextLogger, endWithDelivery, failIfNotificationsOff, loadFunctionConfig, logConfigWarnings } from './invocation.js';
import { parseScanRequest, type ScanRequest } from './scanRequest.js';

async function scanWithConfig(config: Config, request: ScanRequest, logger: Logger): Promise<ScanRunResult | { unknown: string[]; known: string[] }> {
  // The invocation's token requests end with it: none is left running after it returns.
  const invocation = new AbortController();
  try {
    return await scanInvocation(config, request, logger, invocation.signal);
  } finally {
    invocation.abort(new Error('the invocation is over'));
  }
}

async function scanInvocation(config: Config, request: ScanRequest, logger: Logger, invocation: AbortSignal): Promise<ScanRunResult | { unknown: string[]; known: string[] }> {
  const credential = createAzureCredential(config, invocation);
  let sources = await aksClusterSources(config, credential, logger, invocation);
  if (request.clusterNames.length) {
    const byName = new Map(sources.map((s) => [s.name.toLowerCase(), s]));
    const unknown = request.clusterNames.filter((n) => !byName.has(n.toLowerCase()));
    if (unknown.length) return { unknown, known: sources.map((s) => s.name) };
    sources = request.clusterNames.map((n) => byName.get(n.toLowerCase())).filter((s) => s !== undefined);
  }
  // Alert state lives in the app's own storage account (table STATE_TABLE); a dry run changes none.
  // Its ETag claims are what keep overlapping runs (a timer and an HTTP call, or two instances)
  // from sending the same alert twice.
  const stateStore = request.dryRun ? undefined : createStateStore({ kind: 'table', tableName: config.stateTable, env: process.env });
  return runScan(config, sources, { logger, credential, dryRun: request.dryRun, ...(stateStore ? { stateStore } : {}) });
}

/** `notificationsOff` marks the `scan finished` line, which the dead man's switch in infra/ counts. */
export function logSummary(report: ScanReport, logger: Logger, notificationsOff?: string): void {
  for (const c of report.clusters) {
    const counts: Record<string, number> = {};
    for (const f of c.findings) counts[f.status] = (counts[f.status] ?? 0) + 1;
    logger.info('cluster scanned', { cluster: c.name, ok: c.ok, pods: c.pods, ms: c.durationMs, ...counts, ...(c.error ? { error: c.error } : {}) });
  }
  logger.info('scan finished', { ...report.summary, ...(notificationsOff !== undefined ? { notifications: 'off' } : {}) });
}

export async function scanTimerHandler(_timer: Timer, context: InvocationContext): Promise<void> {
  const config = loadFunctionConfig(context);
  const logger = contextLogger(context, config.debug);
  if (config.scanFanout === 'queue') {
    // Fan-out: one queue message per cluster; the `scanCluster` function scans each, on as many
    // instances as the platform gives the queue.
    const invocation = new AbortController();
    let clusters;
    try {
      clusters = await clustersToQueue(config, createAzureCredential(config, invocation.signal), logger);
    } finally {
      invocation.abort(new Error('the cluster discovery is over'));
    }
    const queued = await enqueueClusterScans(createScanQueueClient(process.env, config.scanQueue), clusters);
    logger.info('cluster scans queued', { queue: config.scanQueue, clusters: queued });
    failIfNotificationsOff(config, logger);
    return;
  }
  const result = await scanWithConfig(config, { clusterNames: [], dryRun: false }, logger);
  if ('report' in result) {
    logSummary(result.report, logger, config.notificationsOff);
    endWithDelivery(result.notifications, logger);
  }
  failIfNotificationsOff(config, logger);
}

export async function scanNowHandler(request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> {
  let body: unknown;
  if (request.method === 'POST') {
    const text = await request.text();
    if (text.trim()) {
      try {
        body = JSON.parse(text);
      } catch {
        return { status: 400, jsonBody: { error: 'the request body is not valid JSON' } };
      }
    }
  }
  const parsed = parseScanRequest(request, body);
  if (typeof parsed === 'string') return { status: 400, jsonBody: { error: parsed } };
  let config: Config;
  try {
    config = loadConfig(process.env, { requireClusters: true });
  } catch (error) {
    if (error instanceof ConfigError) {
      context.error(`acr-aks-sync configuration error: ${error.message}`);
      return { status: 500, jsonBody: { error: 'configuration error', issues: error.issues } };
    }
    throw error;
  }
  logConfigWarnings(config, context);
  // Said in every response while they last: an invalid SCAN_SCHEDULE means the timer runs on the default.
  const warnings = config.warnings.length > 0 ? { warnings: config.warnings } : {};
  const logger = contextLogger(context, config.debug);
  const result = await scanWithConfig(config, parsed, logger);
  if (!('report' in result)) {
    return { status: 404, jsonBody: { error: `unknown cluster(s): ${result.unknown.join(', ')}`, knownClusters: result.known, ...warnings } };
  }
  logSummary(result.report, logger, config.notificationsOff);
  const jsonBody = { ...result.report, dryRun: parsed.dryRun, notifications: result.notifications, ...warnings };
  if (config.notificationsOff === undefined) return { status: 200, jsonBody };
  // The scan's answer stands; a real run without notifications is still a failed invocation.
  const off = { ...jsonBody, notifications: 'off', notificationsOff: config.notificationsOff };
  if (parsed.dryRun) return { status: 200, jsonBody: off };
  logger.error('Slack notifications are off; alerts stay owed until the credential resolves', { reason: config.notificationsOff });
  return { status: 500, jsonBody: { ...off, error: 'Slack notifications are off' } };
}
