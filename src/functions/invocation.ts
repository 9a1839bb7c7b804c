/** What every function handler does first: read the configuration and log through the host. */
import type { InvocationContext } from '@azure/functions';
import { deliveryProblem, type DeliveryResult } from '../alerts/deliveryResult.js';
import { loadConfig, type Config } from '../config/config.js';
import { createLogger, type Logger } from '../log/logger.js';

export function contextLogger(context: InvocationContext, debug: boolean): Logger {
  return createLogger((level, line) => {
    if (level === 'debug') context.debug(line);
    else if (level === 'warn') context.warn(line);
    else if (level === 'error') context.error(line);
    else context.info(line);
  }, debug);
}

/**
 * Logs each configuration warning as an error line: a problem that does not stop this run
 * (an invalid SCAN_SCHEDULE, replaced by the default) must still be seen and fixed.
 */
export function logConfigWarnings(config: Config, context: InvocationContext): void {
  for (const warning of config.warnings) {
    context.error(`acr-aks-sync configuration warning: ${warning.variable}: ${warning.message} (e.g. ${warning.example})`);
  }
}

/**
 * After a scan with notifications off (a Slack credential is an unresolved Key Vault reference):
 * says why and fails the invocation, so monitoring sees it while the scans themselves go on.
 */
export function failIfNotificationsOff(config: Config, logger: Logger): void {
  if (config.notificationsOff === undefined) return;
  logger.error('Slack notifications are off; alerts stay owed until the credential resolves', { reason: config.notificationsOff });
  throw new Error(`Slack notifications are off: ${config.notificationsOff}`);
}

/** The app settings as configuration; a bad setting is logged and fails the invocation, a warning is logged. */
export function loadFunctionConfig(context: InvocationContext): Config {
  let config: Config;
  try {
    config = loadConfig(process.env, { requireClusters: true });
  } catch (error) {
    context.error(`acr-aks-sync configuration error: ${(error as Error).message}`);
    throw error;
  }
  logConfigWarnings(config, context);
  return config;
}

/**
 * Logs a scheduled run's alert delivery and, when it left anything undone (items not
 * delivered, state that could not be read or written), fails the invocation after saying so
 * at error level, so monitoring sees a silenced alert as a failed run.
 */
export function endWithDelivery(notifications: DeliveryResult | null, logger: Logger): void {
  if (!notifications) return;
  logger.info('Slack notifications', { ...notifications });
  const problem = deliveryProblem(notifications);
  if (problem === null) return;
  logger.error('alert delivery incomplete; failing this invocation so that monitoring sees it', { problem });
  throw new Error(`alert delivery incomplete: ${problem}`);
}
