/**
 * The `scanNow` HTTP function: a scan on demand, of every cluster of CLUSTERS or of those the
 * request names, answered with the report (`?dryRun=true`: nothing sent, no alert state changed).
 */
import azureFunctions from '@azure/functions';
import type { HttpRequest, HttpResponseInit, InvocationContext } from '@azure/functions';
import type { Config } from '../config/config.js';
import type { ScanRunResult } from '../run/runScan.js';
import { scanInline } from './inlineScan.js';
import { logNotificationsOff, runInvocation, type Invocation, type Trigger } from './invocation.js';
import { readScanRequest, type ScanRequest } from './scanRequest.js';

/** Said in every response while they last: an invalid SCAN_SCHEDULE means the timer runs on the default. */
function warningsOf(config: Config): { warnings?: Config['warnings'] } {
  return config.warnings.length > 0 ? { warnings: config.warnings } : {};
}

/** The report; a real run without notifications is still a failed invocation (500), with the report. */
function scanAnswer(request: ScanRequest, { report, notifications }: ScanRunResult, { config, logger }: Invocation): HttpResponseInit {
  const jsonBody = { ...report, dryRun: request.dryRun, notifications, ...warningsOf(config) };
  if (config.notificationsOff === undefined) return { status: 200, jsonBody };
  const off = { ...jsonBody, notifications: 'off', notificationsOff: config.notificationsOff };
  if (request.dryRun) return { status: 200, jsonBody: off };
  logNotificationsOff(config.notificationsOff, logger);
  return { status: 500, jsonBody: { ...off, error: 'Slack notifications are off' } };
}

function scanNowTrigger(request: ScanRequest): Trigger<HttpResponseInit> {
  return {
    configError: (error) => ({ status: 500, jsonBody: { error: 'configuration error', issues: error.issues } }),
    scanned: (result, invocation) => scanAnswer(request, result, invocation),
  };
}

export async function scanNowHandler(request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> {
  const parsed = await readScanRequest(request);
  if (typeof parsed === 'string') return { status: 400, jsonBody: { error: parsed } };
  return runInvocation<HttpResponseInit>(context, scanNowTrigger(parsed), async (invocation) => {
    const result = await scanInline(invocation, parsed);
    if ('report' in result) return { scanned: result };
    const jsonBody = { error: `unknown cluster(s): ${result.unknown.join(', ')}`, knownClusters: result.known, ...warningsOf(invocation.config) };
    return { answer: { status: 404, jsonBody } };
  });
}

azureFunctions.app.http('scanNow', {
  methods: ['GET', 'POST'],
  authLevel: 'function',
  handler: scanNowHandler,
});
