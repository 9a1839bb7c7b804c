/**
 * The queue-triggered `scanCluster` function (SCAN_FANOUT=queue, PUSH_CHECKS=true): scans the
 * one cluster a message names, with the normal scan and alert path: all of it for the timer's
 * messages (then writes its push index), the pushed repository's workloads for a check a push
 * scheduled (pushCheckScan.ts). Many instances may run it at once, one
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
import azureFunctions from '@azure/functions';
import type { InvocationContext } from '@azure/functions';
import { createStateStore } from '../alerts/state/createStateStore.js';
import { clusterSources } from '../clusters/clusterSources.js';
import type { ResourceClusterTarget } from '../config/clusterTargets.js';
import { registrationSettings } from '../config/registrationSettings.js';
import { BatchLookups } from '../fanout/batchLookups.js';
import { targetOfMessage } from '../fanout/clusterFanout.js';
import { decodeClusterScanMessage, type ClusterScanMessage } from '../fanout/scanQueue.js';
import { createAzureCredential } from '../identity/createAzureCredential.js';
import { systemClock } from '../model/clock.js';
import { indexScanForPushes } from '../push/recordScanIndex.js';
import { createTagLookup, runScan } from '../run/runScan.js';
import { createStatusStore } from '../status/createStatusStore.js';
import { runInvocation, scheduledTrigger, type Invocation, type WorkOutcome } from './invocation.js';
import { scanForPush } from './pushCheckScan.js';

/** The scans of one timer run that land on this instance share their registry answers. */
const batchLookups = new BatchLookups();

/** The message and the cluster it asks for, or undefined when it is dropped (logged). */
function messageTarget(queueItem: unknown, { config, logger }: Invocation): { message: ClusterScanMessage; target: ResourceClusterTarget } | undefined {
  let message: ClusterScanMessage;
  try {
    message = decodeClusterScanMessage(queueItem);
  } catch (error) {
    logger.error('queue message dropped', { reason: (error as Error).message });
    return undefined;
  }
  const target = targetOfMessage(config, message);
  if (!('refused' in target)) return { message, target };
  logger.error('queue message dropped', { cluster: message.name, reason: target.refused });
  return undefined;
}

async function scanQueuedCluster(queueItem: unknown, context: InvocationContext, invocation: Invocation): Promise<WorkOutcome<void>> {
  const { config, logger } = invocation;
  const asked = messageTarget(queueItem, invocation);
  if (!asked) return { answer: undefined };
  const { message, target } = asked;
  logger.info('scanning one cluster from the queue', {
    cluster: target.displayName,
    queuedMs: systemClock() - Date.parse(message.enqueuedAt),
    dequeueCount: (context.triggerMetadata?.dequeueCount as number | undefined) ?? undefined,
    reason: message.reason ?? 'timer',
  });
  if (message.push) return { scanned: await scanForPush(message.push, target, invocation) };
  // Not bound to this invocation's signal: the lookup it serves is shared with later messages of the same timer run.
  const credential = createAzureCredential(config);
  const stateStore = createStateStore({ kind: 'table', tableName: config.stateTable, env: process.env });
  const lookup = batchLookups.forBatch(message.enqueuedAt, logger, (lookupLogger) => createTagLookup(config, credential, lookupLogger));
  const sources = await clusterSources(config, { credential, logger }, { cluster: target });
  const statusStore = createStatusStore({ kind: 'table', tableName: config.stateTable, env: process.env });
  const result = await runScan(config, sources, { logger, credential, stateStore, statusStore, lookup });
  await indexScanForPushes(config, process.env, result.report, sources, logger);
  return { scanned: result };
}

export async function scanClusterQueueHandler(queueItem: unknown, context: InvocationContext): Promise<void> {
  return runInvocation(context, scheduledTrigger, (invocation) => scanQueuedCluster(queueItem, context, invocation));
}

/**
 * Registered only with SCAN_FANOUT=queue or PUSH_CHECKS=true (the checks a push schedules are
 * its messages), so an inline app without push checks neither polls the queue nor needs a role
 * on it. The queue name is the SCAN_QUEUE app setting (a binding expression), or the default
 * when the setting is absent.
 */
const settings = registrationSettings(process.env);
if (settings.scanFanout === 'queue' || settings.pushChecks) {
  azureFunctions.app.storageQueue('scanCluster', {
    queueName: settings.scanQueueBinding,
    connection: 'AzureWebJobsStorage',
    handler: scanClusterQueueHandler,
  });
}
