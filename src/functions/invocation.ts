/** What every function handler does first: read the configuration and log through the host. */
import type { InvocationContext } from '@azure/functions';
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
 * After a scan with notifications off (a Slack credential is an unresolved Key Vault reference):
 * says why and fails the invocation, so monitoring sees it while the scans themselves go on.
 */
export function failIfNotificationsOff(config: Config, logger: Logger): void {
  if (config.notificationsOff === undefined) return;
  logger.error('Slack notifications are off; alerts stay owed until the credential resolves', { reason: config.notificationsOff });
  throw new Error(`Slack notifications are off: ${config.notificationsOff}`);
}

/** The app settings as configuration; a bad setting is logged and fails the invocation. */
export function loadFunctionConfig(context: InvocationContext): Config {
  try {
    return loadConfig(process.env, { requireClusters: true });
  } catch (error) {
    context.error(`acr-aks-sync configuration error: ${(error as Error).message}`);
    throw error;
  }
}
