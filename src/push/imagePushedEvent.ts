/**
 * ACR's `Microsoft.ContainerRegistry.ImagePushed` event as Event Grid writes it to a Storage
 * queue, decoded and checked: pure code, no I/O.
 *
 * The wire format (README, "Push-driven checks"): one event per queue message, the event's JSON
 * in the subscription's delivery schema (EventGridSchema: `id`, `topic`, `subject`, `eventType`,
 * `eventTime`, `data`, `dataVersion`, `metadataVersion`), written as plain text, not base64
 * (Microsoft's Event Grid quickstart "Route custom events to Azure Queue storage", note under
 * "Send an event to your custom topic"). A report says messages arrived base64-encoded
 * (MicrosoftDocs/azure-docs#102923), so base64 of the JSON is read too (util/queueItem.ts).
 *
 * From `data` (event-schema-container-registry): `target.repository`, `target.tag` (absent for
 * a manifest pushed by digest), `target.digest`, `timestamp` (the push time) and `request.host`
 * (the login server). Without `request.host`, the registry is the one of the topic's resource
 * ID (`…/Microsoft.ContainerRegistry/registries/<name>`) that REGISTRIES lists.
 *
 * Whatever cannot be used is a `dropped` result with a one-line reason, never an exception:
 * retrying a malformed or foreign event could only fail the same way.
 */
import { z } from 'zod';
import { ACR_LOGIN_SERVER_SUFFIXES } from '../images/acrLoginServers.js';
import type { ImagePush } from '../model/push.js';
import { queueItemValue } from '../util/queueItem.js';
import { quoteValue } from '../util/text.js';

export const IMAGE_PUSHED_EVENT_TYPE = 'Microsoft.ContainerRegistry.ImagePushed';

/** Why an event leads to no check; `level` is how the drop is logged. */
export interface DroppedEvent {
  dropped: string;
  level: 'info' | 'warn';
}

const isoTime = z.iso.datetime({ offset: true });

const envelopeSchema = z.object({
  id: z.string().min(1).max(200),
  topic: z.string().max(1000).optional(),
  eventType: z.string().min(1).max(200),
  data: z.unknown(),
});

const imagePushedDataSchema = z.object({
  timestamp: isoTime,
  target: z.object({
    repository: z.string().min(1).max(256),
    tag: z.string().max(128).optional(),
    digest: z.string().max(200).optional(),
  }),
  request: z.object({ host: z.string().max(300).optional() }).optional(),
});

const REGISTRY_TOPIC = /\/providers\/Microsoft\.ContainerRegistry\/registries\/([^/]+)$/i;

function malformed(reason: string): DroppedEvent {
  return { dropped: `malformed event: ${reason}`, level: 'warn' };
}

function firstIssue(error: z.ZodError): string {
  const issue = error.issues[0];
  return issue ? `${issue.path.join('.') || '(event)'}: ${issue.message}` : 'invalid';
}

/** The event object of a queue item: one event; an array holding exactly one (the webhook form) is accepted too. */
function eventValue(item: unknown): unknown {
  const value = queueItemValue(item);
  if (Array.isArray(value)) {
    if (value.length !== 1) throw new Error(`the message holds ${value.length} events; Event Grid writes one per message`);
    return value[0];
  }
  return value;
}

/**
 * The REGISTRIES entry the event's registry is: `request.host` when the event names one, else
 * the registry of the topic, whose login server is its name (or its name with a domain-name-label
 * hash) under an Azure cloud's suffix.
 */
function registryOf(host: string | undefined, topic: string | undefined, registries: readonly string[]): string | DroppedEvent {
  if (host) {
    const lower = host.toLowerCase();
    return registries.includes(lower) ? lower : { dropped: `registry ${quoteValue(lower, 120)} is not in REGISTRIES`, level: 'warn' };
  }
  const name = REGISTRY_TOPIC.exec(topic ?? '')?.[1]?.toLowerCase();
  if (!name) return malformed('neither data.request.host nor a registry topic names the registry');
  const found = registries.find((entry) => {
    const suffix = ACR_LOGIN_SERVER_SUFFIXES.find((s) => entry.endsWith(s));
    const label = suffix ? entry.slice(0, -suffix.length) : undefined;
    return label === name || label?.startsWith(`${name}-`);
  });
  return found ?? { dropped: `registry ${quoteValue(name, 60)} (from the event's topic) is not in REGISTRIES`, level: 'warn' };
}

/** The push an `ImagePushed` queue item reports, or why it is dropped. */
export function decodeImagePushed(item: unknown, registries: readonly string[]): ImagePush | DroppedEvent {
  let value: unknown;
  try {
    value = eventValue(item);
  } catch (error) {
    return malformed((error as Error).message);
  }
  if (typeof value === 'object' && value !== null && 'specversion' in value) {
    return malformed('a CloudEvents event; the event subscription must deliver the EventGridSchema');
  }
  const envelope = envelopeSchema.safeParse(value);
  if (!envelope.success) return malformed(firstIssue(envelope.error));
  const { id, topic, eventType } = envelope.data;
  if (eventType !== IMAGE_PUSHED_EVENT_TYPE) return { dropped: `event type ${quoteValue(eventType, 80)} is not ${IMAGE_PUSHED_EVENT_TYPE}`, level: 'info' };
  const data = imagePushedDataSchema.safeParse(envelope.data.data);
  if (!data.success) return malformed(`data.${firstIssue(data.error)}`);
  const { target, timestamp, request } = data.data;
  const registry = registryOf(request?.host, topic, registries);
  if (typeof registry !== 'string') return registry;
  if (!target.tag) return { dropped: `push to ${registry}/${target.repository} without a tag (a manifest pushed by digest)`, level: 'info' };
  return {
    eventId: id,
    registry,
    repository: target.repository,
    tag: target.tag,
    digest: target.digest ?? null,
    pushedAt: new Date(Date.parse(timestamp)).toISOString(),
  };
}
