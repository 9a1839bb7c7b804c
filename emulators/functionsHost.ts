/**
 * A stand-in for the Functions host's Storage queue trigger, for the tests, the demo and the
 * benchmark (the host itself cannot be installed here): it polls Azurite's queues and calls our
 * queue handlers the way the host does with this app's host.json (config/hostQueueSettings.ts):
 *
 * - a message is taken only once visible (an initial visibility delay holds it back), under a
 *   lease; the handler gets the text parsed when it is JSON (`messageEncoding: none`; the Node
 *   worker hands JSON over as an object), and `triggerMetadata.dequeueCount`;
 * - a handler that resolves deletes the message; one that throws makes the message visible again
 *   at once (the host's default `visibilityTimeout` of 0), and on its QUEUE_MAX_DEQUEUE_COUNT-th
 *   failure (or when taken with a higher count) the message is moved to `<queue>-poison`, with
 *   the line the host logs;
 * - an idle queue is polled with a back-off doubling from 100 ms up to `maxPollingInterval`; a
 *   queue that gave messages is polled again at once.
 */
import { randomUUID } from 'node:crypto';
// A default import: @azure/functions is CommonJS, and its named class exports fail under plain Node (the demo, the bench).
import azureFunctions from '@azure/functions';
import type { InvocationContext } from '@azure/functions';
import { QueueClient, type DequeuedMessageItem } from '@azure/storage-queue';
import { QUEUE_MAX_DEQUEUE_COUNT, QUEUE_MAX_POLLING_INTERVAL_MS, poisonQueueName } from '../src/config/hostQueueSettings.js';

export type QueueHandler = (item: unknown, context: InvocationContext) => Promise<void>;

export interface QueueFunction {
  name: string;
  queueName: string;
  handler: QueueHandler;
}

export interface FunctionsHostOptions {
  /** Azurite's connection string (the app's `AzureWebJobsStorage`). */
  connectionString: string;
  functions: readonly QueueFunction[];
  maxPollingIntervalMs?: number;
  maxDequeueCount?: number;
  /** Messages taken per poll (the host's `batchSize`, default 16). */
  batchSize?: number;
  /** Every line the host and the functions log, as `<level> <function> <line>`. */
  log?: (line: string) => void;
}

export interface HostInvocation {
  functionName: string;
  messageId: string;
  dequeueCount: number;
  ok: boolean;
  error?: string;
  /** performance.now() when the handler was called and when it returned. */
  startedAt: number;
  endedAt: number;
}

export interface FunctionsHost {
  readonly invocations: HostInvocation[];
  readonly logs: string[];
  /** Resolves with the first log line from index `after` on (past or future) that `match` accepts; rejects after `timeoutMs`. */
  waitForLog(match: (line: string) => boolean, options?: { after?: number; timeoutMs?: number }): Promise<string>;
  stop(): Promise<void>;
}

/** How long a taken message stays hidden from other pollers while its handler runs. */
const LEASE_SECONDS = 600;

/** The message as the Node worker hands it to the handler: JSON parsed, anything else as text. */
function deliveredItem(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

export function startFunctionsHost(options: FunctionsHostOptions): FunctionsHost {
  const maxDequeueCount = options.maxDequeueCount ?? QUEUE_MAX_DEQUEUE_COUNT;
  const logs: string[] = [];
  const invocations: HostInvocation[] = [];
  const waiters = new Set<{ match: (line: string) => boolean; resolve: (line: string) => void }>();
  const log = (line: string): void => {
    logs.push(line);
    options.log?.(line);
    for (const w of waiters) {
      if (w.match(line)) {
        waiters.delete(w);
        w.resolve(line);
      }
    }
  };
  let stopped = false;
  const loops = options.functions.map((fn) => pollLoop(fn));

  async function invoke(fn: QueueFunction, queue: QueueClient, message: DequeuedMessageItem): Promise<void> {
    if (message.dequeueCount > maxDequeueCount) return poison(fn, queue, message, 'taken more often than maxDequeueCount');
    const context = new azureFunctions.InvocationContext({
      invocationId: randomUUID(),
      functionName: fn.name,
      logHandler: (level, ...args) => log(`${level} ${fn.name} ${args.join(' ')}`),
      triggerMetadata: { id: message.messageId, dequeueCount: message.dequeueCount, insertionTime: message.insertedOn.toISOString(), popReceipt: message.popReceipt },
    });
    const startedAt = performance.now();
    try {
      await fn.handler(deliveredItem(message.messageText), context);
      invocations.push({ functionName: fn.name, messageId: message.messageId, dequeueCount: message.dequeueCount, ok: true, startedAt, endedAt: performance.now() });
      await queue.deleteMessage(message.messageId, message.popReceipt);
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      invocations.push({ functionName: fn.name, messageId: message.messageId, dequeueCount: message.dequeueCount, ok: false, error: reason, startedAt, endedAt: performance.now() });
      log(`error host Executed '${fn.name}' (Failed, Id=${context.invocationId}): ${reason}`);
      if (message.dequeueCount >= maxDequeueCount) return poison(fn, queue, message, `failed ${message.dequeueCount} times`);
      await queue.updateMessage(message.messageId, message.popReceipt, undefined, 0);
    }
  }

  async function poison(fn: QueueFunction, queue: QueueClient, message: DequeuedMessageItem, why: string): Promise<void> {
    const target = new QueueClient(options.connectionString, poisonQueueName(fn.queueName));
    await target.createIfNotExists();
    log(`warning host Message ${message.messageId} has reached MaxDequeueCount of ${maxDequeueCount} (${why}). Moving message to queue '${poisonQueueName(fn.queueName)}'.`);
    await target.sendMessage(message.messageText);
    await queue.deleteMessage(message.messageId, message.popReceipt);
  }

  async function pollLoop(fn: QueueFunction): Promise<void> {
    const queue = new QueueClient(options.connectionString, fn.queueName);
    await queue.createIfNotExists();
    const max = options.maxPollingIntervalMs ?? QUEUE_MAX_POLLING_INTERVAL_MS;
    let delay = 0;
    while (!stopped) {
      if (delay > 0) await new Promise((resolve) => setTimeout(resolve, delay));
      if (stopped) return;
      let taken: DequeuedMessageItem[];
      try {
        taken = (await queue.receiveMessages({ numberOfMessages: options.batchSize ?? 16, visibilityTimeout: LEASE_SECONDS })).receivedMessageItems;
      } catch (error) {
        if (stopped) return;
        log(`error host polling ${fn.queueName} failed: ${(error as Error).message}`);
        taken = [];
      }
      delay = taken.length ? 0 : Math.min(max, Math.max(100, delay * 2));
      await Promise.all(taken.map((m) => invoke(fn, queue, m).catch((error: unknown) => log(`error host ${fn.name}: ${(error as Error).message}`))));
    }
  }

  return {
    invocations,
    logs,
    waitForLog(match, { after = 0, timeoutMs = 60_000 } = {}) {
      const past = logs.slice(after).find(match);
      if (past !== undefined) return Promise.resolve(past);
      return new Promise((resolve, reject) => {
        const waiter = { match, resolve };
        waiters.add(waiter);
        setTimeout(() => {
          if (waiters.delete(waiter)) reject(new Error(`no log line matched within ${timeoutMs} ms; last lines:\n${logs.slice(-10).join('\n')}`));
        }, timeoutMs).unref();
      });
    },
    async stop() {
      stopped = true;
      await Promise.all(loops);
    },
  };
}
