/**
 * What Event Grid writes to a Storage queue when ACR takes a push, for the ACR emulator's
 * `pushTag`: an `Microsoft.ContainerRegistry.ImagePushed` event in the EventGridSchema (the
 * event-schema-container-registry page's fields), one event per message, as plain JSON text
 * (not base64), into an Azurite queue.
 */
import { randomUUID } from 'node:crypto';
import { QueueClient } from '@azure/storage-queue';

export interface ImagePushedEvent {
  id: string;
  topic: string;
  subject: string;
  eventType: 'Microsoft.ContainerRegistry.ImagePushed';
  eventTime: string;
  data: {
    id: string;
    timestamp: string;
    action: 'push';
    target: { mediaType: string; size: number; digest: string; length: number; repository: string; tag?: string };
    request: { id: string; host: string; method: 'PUT'; useragent: string };
  };
  dataVersion: string;
  metadataVersion: string;
}

/** Where the emulated Event Grid subscription delivers: a queue of Azurite (a connection string and the queue's name). */
export interface EventGridDelivery {
  connectionString: string;
  queueName: string;
  /** The registry's resource ID, the event's `topic` (default: a made-up one named `emulatoracr`). */
  registryResourceId?: string;
}

export const DEFAULT_REGISTRY_RESOURCE_ID = '/subscriptions/00000000-0000-0000-0000-00000000ac12/resourceGroups/rg-acr/providers/Microsoft.ContainerRegistry/registries/emulatoracr';

/** The event ACR publishes for a push of `repository:tag` (a tag absent: a manifest pushed by digest). */
export function imagePushedEvent(input: { loginServer: string; repository: string; tag?: string; digest: string; pushedAt: string; topic?: string }): ImagePushedEvent {
  const size = 524;
  return {
    id: randomUUID(),
    topic: input.topic ?? DEFAULT_REGISTRY_RESOURCE_ID,
    subject: input.tag ? `${input.repository}:${input.tag}` : input.repository,
    eventType: 'Microsoft.ContainerRegistry.ImagePushed',
    eventTime: new Date().toISOString(),
    data: {
      id: randomUUID(),
      timestamp: input.pushedAt,
      action: 'push',
      target: { mediaType: 'application/vnd.oci.image.manifest.v1+json', size, digest: input.digest, length: size, repository: input.repository, ...(input.tag ? { tag: input.tag } : {}) },
      request: { id: randomUUID(), host: input.loginServer, method: 'PUT', useragent: 'docker/27.0.3 go/go1.21.11 (acr-aks-sync emulator)' },
    },
    dataVersion: '1.0',
    metadataVersion: '1',
  };
}

/** Writes events to the delivery's queue as Event Grid does (creating the queue on first use). */
export function eventGridQueueWriter(delivery: EventGridDelivery): (event: ImagePushedEvent) => Promise<void> {
  const queue = new QueueClient(delivery.connectionString, delivery.queueName);
  let created: Promise<unknown> | undefined;
  return async (event) => {
    created ??= queue.createIfNotExists();
    await created;
    await queue.sendMessage(JSON.stringify(event));
  };
}
