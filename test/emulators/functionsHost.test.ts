/**
 * The host stand-in behaves like the Functions queue trigger with this app's host.json: a
 * message waits out its visibility delay, a handler sees its dequeue count, a failure is retried
 * and the fifth moves the message to `<queue>-poison` with the host's line.
 */
import { QueueClient } from '@azure/storage-queue';
import { describe, expect, it } from 'vitest';
import { startFunctionsHost, type QueueHandler } from '../../emulators/functionsHost.js';
import { QUEUE_MAX_DEQUEUE_COUNT } from '../../src/config/hostQueueSettings.js';
import { useAzurite } from '../support/useAzurite.js';

const azurite = useAzurite(['queue']);
let queues = 0;

function host(handler: QueueHandler) {
  const queueName = `host-test-${++queues}`;
  const started = startFunctionsHost({ connectionString: azurite().connectionString, functions: [{ name: 'f', queueName, handler }], maxPollingIntervalMs: 200 });
  return { started, queue: new QueueClient(azurite().connectionString, queueName), queueName };
}

describe('the Functions host stand-in', () => {
  it('hands JSON over parsed and other text as it is, with the dequeue count, and deletes what was handled', async () => {
    const seen: Array<{ item: unknown; dequeueCount: unknown }> = [];
    const { started, queue } = host(async (item, context) => void seen.push({ item, dequeueCount: context.triggerMetadata?.dequeueCount }));
    try {
      await queue.createIfNotExists();
      await queue.sendMessage('{"a":1}');
      await queue.sendMessage('plain');
      await expect.poll(() => seen.length, { timeout: 30_000 }).toBe(2);
      expect(seen).toEqual(expect.arrayContaining([{ item: { a: 1 }, dequeueCount: 1 }, { item: 'plain', dequeueCount: 1 }]));
      await expect.poll(async () => (await queue.getProperties()).approximateMessagesCount, { timeout: 30_000 }).toBe(0);
    } finally {
      await started.stop();
    }
  });

  it('leaves a message alone until its visibility delay is over', async () => {
    const order: string[] = [];
    const { started, queue } = host(async (item) => void order.push(String((item as { n: string }).n)));
    try {
      await queue.createIfNotExists();
      await queue.sendMessage('{"n":"later"}', { visibilityTimeout: 2 });
      await queue.sendMessage('{"n":"now"}');
      await expect.poll(() => order, { timeout: 30_000 }).toEqual(['now', 'later']);
    } finally {
      await started.stop();
    }
  });

  it(`retries a failing message and moves it to the poison queue on its ${QUEUE_MAX_DEQUEUE_COUNT}th failure, saying so`, async () => {
    const counts: unknown[] = [];
    const { started, queue, queueName } = host(async (_item, context) => {
      counts.push(context.triggerMetadata?.dequeueCount);
      throw new Error('storage is down');
    });
    try {
      await queue.createIfNotExists();
      await queue.sendMessage('{"event":1}');
      const line = await started.waitForLog((l) => l.includes('MaxDequeueCount'));
      expect(line).toBe(`warning host Message ${started.invocations[0]?.messageId} has reached MaxDequeueCount of 5 (failed 5 times). Moving message to queue '${queueName}-poison'.`);
      expect(counts).toEqual([1, 2, 3, 4, 5]);
      expect(started.logs.filter((l) => l.includes("Executed 'f' (Failed") && l.endsWith('storage is down'))).toHaveLength(5);
      const poison = new QueueClient(azurite().connectionString, `${queueName}-poison`);
      await expect.poll(async () => (await poison.peekMessages()).peekedMessageItems.map((m) => m.messageText), { timeout: 30_000 }).toEqual(['{"event":1}']);
      await expect.poll(async () => (await queue.getProperties()).approximateMessagesCount, { timeout: 30_000 }).toBe(0);
    } finally {
      await started.stop();
    }
  });
});
