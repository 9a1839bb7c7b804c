/**
 * What the imagePushed function drops, each in one log line and with no check queued:
 * duplicate, out-of-order, foreign-registry, non-matching and malformed events; and an event it
 * cannot handle for a storage failure, which the host retries and then moves to the poison queue
 * with a line that says why. GRACE_PERIOD is an hour here, so every check queued stays on the
 * scan queue to be counted.
 */
import { QueueClient } from '@azure/storage-queue';
import { beforeAll, describe, expect, it } from 'vitest';
import { imagePushedEvent, type ImagePushedEvent } from '../../emulators/acr/eventGrid.js';
import { digestOf } from '../../emulators/sandbox.js';
import { AZURITE_KEY } from '../../emulators/azurite.js';
import { ESTATE_PUSH_QUEUE } from '../support/estate.js';
import { PUSH_SCAN_QUEUE, usePushFixture } from '../support/pushFixture.js';

const fixture = usePushFixture('1h');
let pushes: QueueClient;
let checks: QueueClient;

beforeAll(async () => {
  await fixture.runTimer();
  pushes = new QueueClient(fixture.estate.storage.connectionString, ESTATE_PUSH_QUEUE);
  checks = new QueueClient(fixture.estate.storage.connectionString, PUSH_SCAN_QUEUE);
});

/** The checks waiting on the scan queue (all invisible: due in an hour). */
async function queuedChecks(): Promise<number> {
  return (await checks.getProperties()).approximateMessagesCount ?? 0;
}

/** Writes `text` to the push queue as Event Grid would, and waits for the line imagePushed logs about it. */
async function deliver(text: string, match: (line: string) => boolean): Promise<string> {
  const after = fixture.host.logs.length;
  await pushes.sendMessage(text);
  return fixture.host.waitForLog((l) => l.includes(' imagePushed ') && match(l), { after });
}

function event(tag: string, over: { pushedAt?: string; host?: string } = {}): ImagePushedEvent {
  const { registry } = fixture.estate;
  return imagePushedEvent({ loginServer: over.host ?? registry.loginServer, repository: 'orders/service', tag, digest: digestOf(tag), pushedAt: over.pushedAt ?? new Date().toISOString() });
}

describe('imagePushed drops what it cannot use, logged in one line, with nothing queued', () => {
  let first: ImagePushedEvent;

  beforeAll(async () => {
    const after = fixture.host.logs.length;
    first = await fixture.estate.registry.pushTag('orders/service', { name: 'prod-6', digest: digestOf('orders-6') });
    await fixture.host.waitForLog((l) => l.includes('push checks scheduled') && l.includes(`eventId=${first.id}`), { after });
    expect(await queuedChecks()).toBe(1);
  });

  it('a duplicate: the same event delivered again', async () => {
    const line = await deliver(JSON.stringify(first), (l) => l.includes('push event dropped'));
    expect(line).toContain(`reason="duplicate event ${first.id}: the push of ${fixture.estate.registry.loginServer}/orders/service:prod-6 at ${first.data.timestamp} is already scheduled"`);
    expect(line.startsWith('information ')).toBe(true);
    expect(await queuedChecks()).toBe(1);
  });

  it('an out-of-order event: an older push of the same tag, arriving after the newer one', async () => {
    const older = event('prod-6', { pushedAt: new Date(Date.parse(first.data.timestamp) - 60_000).toISOString() });
    const line = await deliver(JSON.stringify(older), (l) => l.includes('push event dropped'));
    expect(line).toContain('reason="out-of-order event:');
    expect(await queuedChecks()).toBe(1);
  });

  it('a push to a registry outside REGISTRIES, at warning level', async () => {
    const line = await deliver(JSON.stringify(event('prod-7', { host: 'elsewhere.azurecr.io' })), (l) => l.includes('push event dropped'));
    expect(line).toBe('warning imagePushed push event dropped reason="registry \\"elsewhere.azurecr.io\\" is not in REGISTRIES"');
    expect(await queuedChecks()).toBe(1);
  });

  it('a tag that matches no tag pattern in use for the repository', async () => {
    const line = await deliver(JSON.stringify(event('main-77')), (l) => l.includes('push event dropped'));
    expect(line).toContain(`reason="tag main-77 of ${fixture.estate.registry.loginServer}/orders/service matches no tag pattern in use for it (prod-*)"`);
    expect(await queuedChecks()).toBe(1);
  });

  it.each([
    ['text that is not JSON', 'not an event'],
    ['an event without data', JSON.stringify({ id: 'x', eventType: 'Microsoft.ContainerRegistry.ImagePushed' })],
  ])('a malformed event: %s, at warning level', async (_label, text) => {
    const line = await deliver(text, (l) => l.includes('push event dropped'));
    expect(line).toMatch(/^warning imagePushed push event dropped reason="malformed event: /);
    expect(await queuedChecks()).toBe(1);
  });
});

describe('an event that cannot be handled', () => {
  it('is retried, then moved to the poison queue, with a line saying why', async () => {
    const saved = process.env.AzureWebJobsStorage;
    // The table answers 403 to a wrong account key: a failure the host's retries cannot fix.
    process.env.AzureWebJobsStorage = fixture.estate.storage.connectionString.replace(AZURITE_KEY, Buffer.from('wrong key').toString('base64'));
    try {
      const text = JSON.stringify(event('prod-8'));
      const after = fixture.host.logs.length;
      await pushes.sendMessage(text);
      const moved = await fixture.host.waitForLog((l) => l.includes('MaxDequeueCount'), { after });
      expect(moved).toContain(`Moving message to queue '${ESTATE_PUSH_QUEUE}-poison'`);
      const why = fixture.host.logs.slice(after).filter((l) => l.includes('push event not handled'));
      expect(why).toHaveLength(5);
      expect(why[0]).toMatch(/^error imagePushed push event not handled; the host tries it again \(attempt 1 of 5; then acrsync-pushes-poison\) reason="push records: [a-z ]+ failed \(HTTP 403\b/);
      expect(why[4]).toMatch(/^error imagePushed push event not handled; this was the last of 5 attempts: the host moves it to acrsync-pushes-poison reason="push records: [a-z ]+ failed \(HTTP 403\b.*attempt=5$/);
      const poison = new QueueClient(fixture.estate.storage.connectionString, `${ESTATE_PUSH_QUEUE}-poison`);
      expect((await poison.peekMessages()).peekedMessageItems.map((m) => m.messageText)).toEqual([text]);
    } finally {
      process.env.AzureWebJobsStorage = saved;
    }
  });
});
