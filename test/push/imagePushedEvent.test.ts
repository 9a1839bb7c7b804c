/**
 * The ImagePushed event as Event Grid writes it to a queue (EventGridSchema, plain JSON text),
 * decoded into a push or dropped with one line saying why.
 */
import { describe, expect, it } from 'vitest';
import { imagePushedEvent } from '../../emulators/acr/eventGrid.js';
import { decodeImagePushed } from '../../src/push/imagePushedEvent.js';

const REGISTRIES = ['contoso.azurecr.io', 'fabrikam-abc123.azurecr.us', '127.0.0.1:5000'];
const DIGEST = `sha256:${'a'.repeat(64)}`;
const TOPIC = '/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg-acr/providers/Microsoft.ContainerRegistry/registries/contoso';

/** The example of Microsoft's event-schema-container-registry page, in the EventGridSchema. */
function docsExample(overrides: Record<string, unknown> = {}, data: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    topic: TOPIC,
    subject: 'aci-helloworld:v1',
    eventType: 'Microsoft.ContainerRegistry.ImagePushed',
    eventTime: '2018-04-25T21:39:47.6549614Z',
    id: '831e1650-001e-001b-66ab-eeb76e069631',
    data: {
      id: '31c51664-e5bd-416a-a5df-e5206bc47ed0',
      timestamp: '2018-04-25T21:39:47.276585742Z',
      action: 'push',
      target: { mediaType: 'application/vnd.docker.distribution.manifest.v2+json', size: 3023, digest: DIGEST, length: 3023, repository: 'aci-helloworld', tag: 'v1' },
      request: { id: '7c66f28b-de19-40a4-821c-6f5f6c0003a4', host: 'contoso.azurecr.io', method: 'PUT', useragent: 'docker/18.03.0-ce' },
      ...data,
    },
    dataVersion: '1.0',
    metadataVersion: '1',
    ...overrides,
  };
}

describe('decodeImagePushed', () => {
  it('reads the documented event, as the plain JSON text Event Grid writes, the host\'s parsed object and base64', () => {
    const expected = {
      eventId: '831e1650-001e-001b-66ab-eeb76e069631',
      registry: 'contoso.azurecr.io',
      repository: 'aci-helloworld',
      tag: 'v1',
      digest: DIGEST,
      pushedAt: '2018-04-25T21:39:47.276Z',
    };
    const text = JSON.stringify(docsExample());
    expect(decodeImagePushed(text, REGISTRIES)).toEqual(expected);
    expect(decodeImagePushed(JSON.parse(text), REGISTRIES)).toEqual(expected);
    expect(decodeImagePushed(Buffer.from(text).toString('base64'), REGISTRIES)).toEqual(expected);
    expect(decodeImagePushed([JSON.parse(text)], REGISTRIES)).toEqual(expected);
  });

  it('reads what the ACR emulator writes', () => {
    const event = imagePushedEvent({ loginServer: '127.0.0.1:5000', repository: 'team/app', tag: 'prod-2', digest: DIGEST, pushedAt: '2026-11-30T10:00:00.000Z' });
    expect(decodeImagePushed(JSON.stringify(event), REGISTRIES)).toMatchObject({ eventId: event.id, registry: '127.0.0.1:5000', repository: 'team/app', tag: 'prod-2' });
  });

  it('takes the registry from the topic when the event names no host: the REGISTRIES entry of that name in any cloud, a domain-name-label hash too', () => {
    const noHost = (topic: string) => docsExample({ topic }, { request: {} });
    expect(decodeImagePushed(noHost(TOPIC), REGISTRIES)).toMatchObject({ registry: 'contoso.azurecr.io' });
    expect(decodeImagePushed(noHost(TOPIC.replace(/contoso$/, 'Fabrikam')), REGISTRIES)).toMatchObject({ registry: 'fabrikam-abc123.azurecr.us' });
    expect(decodeImagePushed(noHost(TOPIC.replace(/contoso$/, 'other')), REGISTRIES)).toEqual({ dropped: 'registry "other" (from the event\'s topic) is not in REGISTRIES', level: 'warn' });
    expect(decodeImagePushed(noHost('/subscriptions/x/resourceGroups/y'), REGISTRIES)).toMatchObject({ dropped: expect.stringContaining('neither data.request.host nor a registry topic') });
  });

  it('drops a push to a registry outside REGISTRIES', () => {
    expect(decodeImagePushed(docsExample({}, { request: { host: 'Evil.azurecr.io' } }), REGISTRIES)).toEqual({ dropped: 'registry "evil.azurecr.io" is not in REGISTRIES', level: 'warn' });
  });

  it('drops another event type and a push without a tag, as expected events', () => {
    expect(decodeImagePushed(docsExample({ eventType: 'Microsoft.ContainerRegistry.ImageDeleted' }), REGISTRIES)).toEqual({
      dropped: 'event type "Microsoft.ContainerRegistry.ImageDeleted" is not Microsoft.ContainerRegistry.ImagePushed',
      level: 'info',
    });
    const byDigest = docsExample({}, { target: { repository: 'aci-helloworld', digest: DIGEST } });
    expect(decodeImagePushed(byDigest, REGISTRIES)).toEqual({ dropped: 'push to contoso.azurecr.io/aci-helloworld without a tag (a manifest pushed by digest)', level: 'info' });
  });

  it.each([
    ['text that is not JSON', 'hello', /^malformed event: the queue message is not JSON/],
    ['a value that is no object', 42, /^malformed event: \(event\): /],
    ['two events in one message', [docsExample(), docsExample()], /^malformed event: the message holds 2 events/],
    ['no id', docsExample({ id: undefined }), /^malformed event: id: /],
    ['no data', docsExample({ data: undefined }), /^malformed event: data\.\(event\): /],
    ['a push time that is no time', docsExample({}, { timestamp: 'yesterday' }), /^malformed event: data\.timestamp: /],
    ['no repository', docsExample({}, { target: { tag: 'v1' } }), /^malformed event: data\.target\.repository: /],
    ['a CloudEvents event', { specversion: '1.0', type: 'Microsoft.ContainerRegistry.ImagePushed', source: TOPIC, id: 'x', data: {} }, /CloudEvents.*EventGridSchema/],
  ])('drops %s as malformed, saying what is wrong', (_label, item, reason) => {
    const result = decodeImagePushed(item, REGISTRIES);
    expect(result).toMatchObject({ level: 'warn' });
    expect((result as { dropped: string }).dropped).toMatch(reason);
  });
});
