/**
 * The function handlers, kept apart from their registration so they can be called directly
 * (tests, other hosts). Type-only imports: the package is CommonJS and its named classes do
 * not load from ESM under plain Node.
 */
import type { HttpRequest, HttpResponseInit, InvocationContext, Timer } from '@azure/functions';
import { ConfigError, loadConfig, type Config } from '../config/config.js';
import { aksClusterSources } from '../clusters/aksClusterSources.js';
import type { Logger } from '../log/logger.js';
import { contextLogger, loadFunctionConfig } from './invocation.js';
import type { ScanReport } from '../report/types.js';
import { createAzureCredential, runScan, type ScanRunResult } from '../scan/runScan.js';
import { createStateStoreFromEnv } from '../alerts/tableStateStore.js';
import { clustersToQueue } from '../fanout/clusterFanout.js';
import { createScanQueueClient, enqueueClusterScans } from '../fanout/scanQueue.js';

interface ScanRequest {
  clusterNames: string[];
  dryRun: boolean;
}

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
  const stateStore = request.dryRun ? undefined : createStateStoreFromEnv(process.env, config.stateTable);
  return runScan(config, sources, { logger, credential, dryRun: request.dryRun, ...(stateStore ? { stateStore } : {}) });
}

export function logSummary(report: ScanReport, logger: Logger): void {
  for (const c of report.clusters) {
    const counts: Record<string, number> = {};
    for (const f of c.findings) counts[f.status] = (counts[f.status] ?? 0) + 1;
    logger.info('cluster scanned', { cluster: c.name, ok: c.ok, pods: c.pods, ms: c.durationMs, ...counts, ...(c.error ? { error: c.error } : {}) });
  }
  logger.info('scan finished', { ...report.summary });
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
    return;
  }
  const result = await scanWithConfig(config, { clusterNames: [], dryRun: false }, logger);
  if ('report' in result) {
    logSummary(result.report, logger);
    if (result.notifications) logger.info('Slack notifications', { ...result.notifications });
  }
}

const BOOLEAN_VALUES: Record<string, boolean> = { true: true, '1': true, yes: true, false: false, '0': false, no: false, '': true };

function parseScanRequest(request: HttpRequest, body: unknown): ScanRequest | string {
  const allowed = new Set(['cluster', 'dryRun', 'code']);
  for (const key of request.query.keys()) {
    if (!allowed.has(key)) return `unknown query parameter "${key}"; use cluster= (repeatable) and dryRun=true|false`;
  }
  const clusterNames = request.query.getAll('cluster').flatMap((v) => v.split(',')).map((v) => v.trim()).filter(Boolean);
  let dryRun = false;
  const dryRunText = request.query.get('dryRun');
  if (dryRunText !== null) {
    const parsed = BOOLEAN_VALUES[dryRunText.toLowerCase()];
    if (parsed === undefined) return `dryRun must be true or false, got "${dryRunText.slice(0, 40)}"`;
    dryRun = parsed;
  }
  if (body !== undefined) {
    if (typeof body !== 'object' || body === null || Array.isArray(body)) return 'the request body must be a JSON object like {"clusters": ["prod-aks"], "dryRun": true}';
    const b = body as { clusters?: unknown; dryRun?: unknown };
    for (const key of Object.keys(b)) if (key !== 'clusters' && key !== 'dryRun') return `unknown body field "${key}"; use clusters and dryRun`;
    if (b.clusters !== undefined) {
      if (!Array.isArray(b.clusters) || !b.clusters.every((c) => typeof c === 'string')) return '"clusters" must be an array of cluster names';
      clusterNames.push(...(b.clusters as string[]));
    }
    if (b.dryRun !== undefined) {
      if (typeof b.dryRun !== 'boolean') return '"dryRun" must be true or false';
      dryRun = b.dryRun;
    }
  }
  return { clusterNames, dryRun };
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
  const logger = contextLogger(context, config.debug);
  const result = await scanWithConfig(config, parsed, logger);
  if (!('report' in result)) {
    return { status: 404, jsonBody: { error: `unknown cluster(s): ${result.unknown.join(', ')}`, knownClusters: result.known } };
  }
  logSummary(result.report, logger);
  return { status: 200, jsonBody: { ...result.report, dryRun: parsed.dryRun, notifications: result.notifications } };
}
