/**
 * The ACR emulator's pushes: with `eventGrid`, the ImagePushed event lands on the queue as Event
 * Grid writes it (one EventGridSchema event, plain JSON text); without, nothing is written.
 */
import { QueueClient } from '@azure/storage-queue';
import { describe, expect, it } from 'vitest';
import { startAcrRegistry } from '../../emulators/acrRegistry.js';
import { DEFAULT_REGISTRY_RESOURCE_ID } from '../../emulators/acr/eventGrid.js';
import { digestOf } from '../../emulators/sandbox.js';
import { ensureTestPki } from '../../emulators/testPki.js';
import { useAzurite } from '../support/useAzurite.js';

const azurite = useAzurite(['queue']);

describe('ACR emulator pushes', () => {
  it('writes the ImagePushed event to the queue as plain JSON text in the EventGridSchema', async () => {
    const registry = await startAcrRegistry({ pki: ensureTestPki(), validateEntraToken: () => true, repositories: {}, eventGrid: { connectionString: azurite().connectionString, queueName: 'events' } });
    try {
      const event = await registry.pushTag('team/app', { name: 'prod-3', digest: digestOf('app-3') });
      const [message] = (await new QueueClient(azurite().connectionString, 'events').receiveMessages()).receivedMessageItems;
      expect(message?.messageText.startsWith('{')).toBe(true);
      const body = JSON.parse(message?.messageText ?? '') as Record<string, unknown>;
      expect(Object.keys(body).sort()).toEqual(['data', 'dataVersion', 'eventTime', 'eventType', 'id', 'metadataVersion', 'subject', 'topic']);
      expect(body).toMatchObject({
        id: event.id,
        topic: DEFAULT_REGISTRY_RESOURCE_ID,
        subject: 'team/app:prod-3',
        eventType: 'Microsoft.ContainerRegistry.ImagePushed',
        data: { action: 'push', target: { repository: 'team/app', tag: 'prod-3', digest: digestOf('app-3') }, request: { host: registry.loginServer, method: 'PUT' } },
      });
      expect(Date.parse(event.data.timestamp)).toBeLessThanOrEqual(Date.now());
    } finally {
      await registry.close();
    }
  });

  it('pushes without writing anything when it has no queue', async () => {
    const registry = await startAcrRegistry({ pki: ensureTestPki(), validateEntraToken: () => true, repositories: {} });
    try {
      const event = await registry.pushTag('team/app', { name: 'prod-1', digest: digestOf('app-1'), lastUpdateTime: '2026-11-30T10:00:00.000Z' });
      expect(event.data.timestamp).toBe('2026-11-30T10:00:00.000Z');
    } finally {
      await registry.close();
    }
  });
});
