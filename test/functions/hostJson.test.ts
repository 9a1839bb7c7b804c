/** host.json's queue settings are those the code and the host stand-in rely on (config/hostQueueSettings.ts). */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { QUEUE_MAX_DEQUEUE_COUNT, QUEUE_MAX_POLLING_INTERVAL_MS, QUEUE_MESSAGE_ENCODING } from '../../src/config/hostQueueSettings.js';

const host = JSON.parse(readFileSync(join(import.meta.dirname, '..', '..', 'host.json'), 'utf8')) as { extensions?: { queues?: Record<string, unknown> } };

/** `hh:mm:ss` as milliseconds. */
const spanMs = (span: unknown): number => {
  const [h, m, s] = String(span).split(':').map(Number);
  return (((h ?? 0) * 60 + (m ?? 0)) * 60 + (s ?? 0)) * 1000;
};

describe('host.json extensions.queues', () => {
  it('reads messages as plain text (Event Grid does not base64-encode), polls idle queues every 2 s at most, and poisons after 5 failures', () => {
    const queues = host.extensions?.queues ?? {};
    expect(queues.messageEncoding).toBe(QUEUE_MESSAGE_ENCODING);
    expect(spanMs(queues.maxPollingInterval)).toBe(QUEUE_MAX_POLLING_INTERVAL_MS);
    expect(queues.maxDequeueCount).toBe(QUEUE_MAX_DEQUEUE_COUNT);
  });
});
