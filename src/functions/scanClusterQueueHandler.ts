/**
 * The queue-triggered `scanCluster` function (SCAN_FANOUT=queue): scans the one cluster a
 * message names, with the normal scan and alert path. Many instances may run it at once, one
 * cluster each; alerts stay consistent across them through the alert table's ETags.
 *
 * A message this app cannot act on (not a cluster scan message, or a cluster CLUSTERS does not
 * name) is logged and dropped: retrying it could only fail the same way. A configuration error
 * or an unexpected failure throws, so the host retries the message and, after its
 * `maxDequeueCount`, moves it to the `-poison` queue. A cluster that cannot be scanned is a
 * result (reported and logged like in the inline scan), not a retry. Alerts that could not be
 * delivered fail the invocation too (after the summary is logged): the retried message scans
 * again and sends what is still owed, never what was already sent.
 */
import type { InvocationContext } from '@azure/functions';
import { createStateStore } from '../alerts/state/createStateStore.js';
import { BatchLookups } from '../fanout/batchLookups.js';
import { clusterSourceFor, targetOfMessage } from '../fanout/clusterFanout.js';
import { decodeClusterScanMessage, type ClusterScanMessage } from '../fanout/scanQueue.js';
import { createAzureCredential } from '../identity/createAzureCredential.js';
import { systemClock } from '../model/clock.js';
import { createTagLookup, runScan } from '../run/runScan.js';
import { contextLogger, endWithDelivery, failIfNotificationsOff, loadFunctionConfig } from './invocation.js';
import { logSummary } from './scanHandlers.js';

/** The scans of one timer run that land on this instance share their registry answers. */
const batchLookups = new BatchLookups();

export async function scanClusterQueueHandler(queueItem: unknown, context: InvocationContext): Promise<void> {
  const config = loadFunctionConfig(context);
  const logger = contextLogger(context, config.debug);
  let message: ClusterScanMessage;
  try {
    message = decodeClusterScanMessage(queueItem);
  } catch (error) {
    logger.error('queue message dropped', { reason: (error as Error).message });
    return;
  }
  const target = targetOfMessage(config, message);
  if ('refused' in target) {
    logger.error('queue message dropped', { cluster: message.name, reason: target.refused });
    return;
  }
  const queuedMs = systemClock() - Date.parse(message.enqueuedAt);
  logger.info('scanning one cluster from the queue', {
    cluster: target.displayName,
    queuedMs,
    dequeueCount: (context.triggerMetadata?.dequeueCount as number | undefined) ?? undefined,
  });
  const credential = createAzureCredential(config);
  const stateStore = createStateStore({ kind: 'table', tableName: config.stateTable, env: process.env });
  const lookup = batchLookups.forBatch(message.enqueuedAt, logger, (lookupLogger) => createTagLookup(config, credential, lookupLogger));
  const { report, notifications } = await runScan(config, [clusterSourceFor(config, target, credential)], { logger, credential, stateStore, lookup });
  logSummary(report, logger, config.notificationsOff);
  endWithDelivery(notifications, logger);
  // Failing retries the message, which scans again once the Key Vault reference resolves.
  failIfNotificationsOff(config, logger);
}
