/**
 * One function invocation, the same for the three functions: the app settings loaded as
 * configuration (an error logged and failing the invocation, each warning logged), the host's
 * logger, the work with the invocation's own signal, then the scan's summary and the verdict.
 * What differs between triggers is how they answer (a `Trigger`).
 */
import type { InvocationContext } from '@azure/functions';
import { deliveryProblem, type DeliveryResult } from '../alerts/deliveryResult.js';
import { ConfigError, loadConfig, type Config } from '../config/config.js';
import { createLogger, type Logger } from '../log/logger.js';
import type { ScanReport } from '../model/finding.js';
import type { ScanRunResult } from '../run/runScan.js';
import { flushTelemetry } from '../run/telemetry.js';
import { workerTelemetry } from './telemetry.js';

export interface Invocation {
  config: Config;
  logger: Logger;
  /** Aborted when the work is over: what it starts with it (token requests) ends with it. */
  signal: AbortSignal;
}

/** What the work ended with: a scan, whose summary is logged and judged; or an answer of its own. */
export type WorkOutcome<T> = { scanned: ScanRunResult } | { answer: T };

/** How a trigger answers: what differs between the timer, the queue function and scanNow. */
export interface Trigger<T> {
  /** The answer to a configuration error (after it is logged); without it the invocation fails. */
  configError?: (error: ConfigError) => T;
  /** The answer to a scan, after its summary is logged. */
  scanned: (result: ScanRunResult, invocation: Invocation) => T;
}

/**
 * The scheduled functions (the timer, the queue function) fail the invocation, after saying so
 * at error level, when alerts were left undelivered or Slack notifications are off, so that
 * monitoring sees a silenced alert as a failed run; a failed queue message is retried, which
 * scans again and sends what is still owed.
 */
export const scheduledTrigger: Trigger<void> = {
  scanned({ notifications }, { config, logger }) {
    endWithDelivery(notifications, logger);
    failIfNotificationsOff(config, logger);
  },
};

/** Runs `work` as one invocation of a function, the way the module comment says. */
export async function runInvocation<T>(context: InvocationContext, trigger: Trigger<T>, work: (invocation: Invocation) => Promise<WorkOutcome<T>>): Promise<T> {
  let config: Config;
  try {
    config = loadFunctionConfig(context);
  } catch (error) {
    if (trigger.configError && error instanceof ConfigError) return trigger.configError(error);
    throw error;
  }
  const logger = contextLogger(context, config.debug);
  const telemetry = await workerTelemetry(config, logger);
  const lifetime = new AbortController();
  const invocation = { config, logger, signal: lifetime.signal };
  let outcome: WorkOutcome<T>;
  try {
    outcome = await work(invocation);
  } finally {
    lifetime.abort(new Error('the invocation is over'));
    // Sent before the invocation returns: the host may freeze the instance right after.
    await flushTelemetry(telemetry, logger);
  }
  if ('answer' in outcome) return outcome.answer;
  logSummary(outcome.scanned.report, logger, config.notificationsOff);
  return trigger.scanned(outcome.scanned, invocation);
}

function contextLogger(context: InvocationContext, debug: boolean): Logger {
  return createLogger((level, line) => {
    if (level === 'debug') context.debug(line);
    else if (level === 'warn') context.warn(line);
    else if (level === 'error') context.error(line);
    else context.info(line);
  }, debug);
}

/**
 * The app settings as configuration; a bad setting is logged and thrown. Each warning is logged
 * as an error line: a problem that does not stop this run (an invalid SCAN_SCHEDULE, replaced
 * by the default) must still be seen and fixed.
 */
function loadFunctionConfig(context: InvocationContext): Config {
  let config: Config;
  try {
    config = loadConfig(process.env, { requireClusters: true });
  } catch (error) {
    context.error(`acr-aks-sync configuration error: ${(error as Error).message}`);
    throw error;
  }
  for (const warning of config.warnings) {
    context.error(`acr-aks-sync configuration warning: ${warning.variable}: ${warning.message} (e.g. ${warning.example})`);
  }
  return config;
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

/** Logs a run's alert delivery and throws, after saying so, when it left anything undone. */
function endWithDelivery(notifications: DeliveryResult | null, logger: Logger): void {
  if (!notifications) return;
  logger.info('Slack notifications', { ...notifications });
  const problem = deliveryProblem(notifications);
  if (problem === null) return;
  logger.error('alert delivery incomplete; failing this invocation so that monitoring sees it', { problem });
  throw new Error(`alert delivery incomplete: ${problem}`);
}

/** Says why Slack notifications are off (a Slack credential is an unresolved Key Vault reference). */
export function logNotificationsOff(notificationsOff: string, logger: Logger): void {
  logger.error('Slack notifications are off; alerts stay owed until the credential resolves', { reason: notificationsOff });
}

/** After a real run with notifications off: says why and fails the invocation, while the scans themselves go on. */
export function failIfNotificationsOff(config: Config, logger: Logger): void {
  if (config.notificationsOff === undefined) return;
  logNotificationsOff(config.notificationsOff, logger);
  throw new Error(`Slack notifications are off: ${config.notificationsOff}`);
}
