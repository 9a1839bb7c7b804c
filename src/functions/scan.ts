/**
 * The `scan` timer function: every SCAN_SCHEDULE, either one scan of every cluster of CLUSTERS
 * (SCAN_FANOUT=inline), or one queue message per cluster (SCAN_FANOUT=queue) for the
 * `scanCluster` function to scan each, on as many instances as the platform gives the queue.
 */
import azureFunctions from '@azure/functions';
import type { InvocationContext, Timer } from '@azure/functions';
import { registrationSettings } from '../config/registrationSettings.js';
import { clustersToQueue } from '../fanout/clusterFanout.js';
import { createScanQueueClient, enqueueClusterScans } from '../fanout/scanQueue.js';
import { createAzureCredential } from '../identity/createAzureCredential.js';
import { scanInline } from './inlineScan.js';
import { failIfNotificationsOff, runInvocation, scheduledTrigger, type Invocation, type WorkOutcome } from './invocation.js';

async function queueClusterScans({ config, logger, signal }: Invocation): Promise<WorkOutcome<void>> {
  const clusters = await clustersToQueue(config, { credential: createAzureCredential(config, signal), logger, signal });
  const queued = await enqueueClusterScans(createScanQueueClient(process.env, config.scanQueue), clusters);
  logger.info('cluster scans queued', { queue: config.scanQueue, clusters: queued });
  // Nothing was scanned here, but a run that can send no alert is still a failed one.
  failIfNotificationsOff(config, logger);
  return { answer: undefined };
}

export async function scanTimerHandler(_timer: Timer, context: InvocationContext): Promise<void> {
  return runInvocation(context, scheduledTrigger, async (invocation) => {
    if (invocation.config.scanFanout === 'queue') return queueClusterScans(invocation);
    const result = await scanInline(invocation, { clusterNames: [], dryRun: false });
    return 'report' in result ? { scanned: result } : { answer: undefined };
  });
}

/**
 * The schedule is the value SCAN_SCHEDULE resolves to, checked here as the host checks it, not
 * the `%SCAN_SCHEDULE%` binding expression: an invalid expression would put the timer function
 * in error on the host, and no scan would ever run. The default runs instead; every timer run
 * and every scanNow response says so (the configuration's `warnings`) until it is fixed.
 */
azureFunctions.app.timer('scan', {
  schedule: registrationSettings(process.env).scanSchedule,
  handler: scanTimerHandler,
});
