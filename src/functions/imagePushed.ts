/**
 * The queue-triggered `imagePushed` function (PUSH_CHECKS=true): reads the ImagePushed events
 * Event Grid writes to PUSH_QUEUE and queues, for each push that matters, the checks of the
 * clusters that ran the repository at their last scan, due at push time + grace period
 * (push/handlePush.ts). The checks are `scanCluster` messages on SCAN_QUEUE.
 *
 * An event that leads to no check (malformed, another event type, a registry not in REGISTRIES,
 * no tag, a tag that matches no pattern in use, a duplicate, an out-of-order event) is logged in
 * one line and dropped: the invocation succeeds and the message is gone. A failure to reach the
 * table or the queue is logged with why and throws: the host tries the message again and, after
 * its fifth attempt (host.json `maxDequeueCount`), moves it to `<PUSH_QUEUE>-poison`. The timer
 * still scans every cluster, so a poisoned event delays an alert, it does not lose it.
 */
import azureFunctions from '@azure/functions';
import type { InvocationContext } from '@azure/functions';
import { resolveClusterTargets } from '../clusters/clusterDiscovery.js';
import { QUEUE_MAX_DEQUEUE_COUNT, poisonQueueName } from '../config/hostQueueSettings.js';
import { registrationSettings } from '../config/registrationSettings.js';
import { createScanQueueClient } from '../fanout/scanQueue.js';
import { createAzureCredential } from '../identity/createAzureCredential.js';
import { systemClock } from '../model/clock.js';
import { handleImagePushed, type PushDeps, type PushOutcome } from '../push/handlePush.js';
import { scheduleChecks } from '../push/scheduleChecks.js';
import { TablePushIndex } from '../push/tablePushIndex.js';
import { TablePushRecords } from '../push/tablePushRecords.js';
import { resolveAppStorage } from '../storage/appStorage.js';
import { runInvocation, scheduledTrigger, type Invocation } from './invocation.js';

/** The stores and queue of the app's storage account, and ARM for subscriptions no index covers yet. */
function pushDeps({ config, logger, signal }: Invocation): PushDeps {
  const storage = resolveAppStorage(process.env, 'table', 'push checks (PUSH_CHECKS)');
  const queue = createScanQueueClient(process.env, config.scanQueue);
  return {
    config,
    index: new TablePushIndex(storage, config.stateTable),
    records: new TablePushRecords(storage, config.stateTable),
    schedule: (push, checks) => scheduleChecks(queue, push, checks, systemClock),
    discover: async (subscriptionIds) => {
      const wanted = new Set(subscriptionIds);
      const clusters = config.clusters.filter((t) => t.kind === 'subscription' && wanted.has(t.subscriptionId));
      const credential = createAzureCredential(config, signal);
      return (await resolveClusterTargets({ ...config, clusters }, { credential, logger, signal })).targets;
    },
    now: systemClock,
  };
}

function logOutcome(outcome: PushOutcome, { logger }: Invocation): void {
  if ('dropped' in outcome) {
    logger[outcome.level]('push event dropped', { reason: outcome.dropped });
    return;
  }
  const { push, checks, basis } = outcome;
  logger.info('push checks scheduled', {
    registry: push.registry,
    repository: push.repository,
    tag: push.tag,
    eventId: push.eventId,
    pushedAt: push.pushedAt,
    basis,
    clusters: [...new Set(checks.map((c) => c.name))].join(','),
    checks: checks.map((c) => `${c.name}@${new Date(c.dueAt).toISOString()}`).join(','),
  });
}

export async function imagePushedQueueHandler(queueItem: unknown, context: InvocationContext): Promise<void> {
  return runInvocation(context, scheduledTrigger, async (invocation) => {
    try {
      logOutcome(await handleImagePushed(queueItem, pushDeps(invocation)), invocation);
    } catch (error) {
      const attempt = Number(context.triggerMetadata?.dequeueCount ?? 1);
      const queue = invocation.config.pushQueue;
      const next = attempt >= QUEUE_MAX_DEQUEUE_COUNT ? `this was the last of ${QUEUE_MAX_DEQUEUE_COUNT} attempts: the host moves it to ${poisonQueueName(queue)}` : `the host tries it again (attempt ${attempt} of ${QUEUE_MAX_DEQUEUE_COUNT}; then ${poisonQueueName(queue)})`;
      invocation.logger.error(`push event not handled; ${next}`, { reason: error instanceof Error ? error.message : String(error), attempt });
      throw error;
    }
    return { answer: undefined };
  });
}

/** Registered only with PUSH_CHECKS=true, on the PUSH_QUEUE app setting (a binding expression), or the default queue when it is absent. */
const settings = registrationSettings(process.env);
if (settings.pushChecks) {
  azureFunctions.app.storageQueue('imagePushed', {
    queueName: settings.pushQueueBinding,
    connection: 'AzureWebJobsStorage',
    handler: imagePushedQueueHandler,
  });
}
