/**
 * What the inventory keeps of namespaces' labels and annotations and of pods' annotations,
 * read through the Kubernetes API: acr-aks-sync's keys and the SLACK_CHANNEL_LABEL label only,
 * values trimmed, blanks dropped, an oversized value cut; nothing else a cluster sends.
 */
import { KubeConfig } from '@kubernetes/client-node';
import { afterEach, describe, expect, it } from 'vitest';
import { makePod, startKubernetesApi, type KubernetesApiHandle } from '../../emulators/kubernetesApi.js';
import { ensureTestPki } from '../../emulators/testPki.js';
import { readClusterInventory } from '../../src/inventory/kubernetesInventory.js';
import { silentLogger } from '../../src/log/logger.js';

let api: KubernetesApiHandle | undefined;
afterEach(async () => {
  await api?.close();
  api = undefined;
});

describe('settings read from the cluster', () => {
  it('keeps only acr-aks-sync keys and the channel label, and the pod\'s container names for its per-container keys', async () => {
    api = await startKubernetesApi({
      pki: ensureTestPki(),
      namespaces: [
        {
          name: 'shop',
          labels: { team: 'shop', 'team-channel': 'shop-alerts', 'acr-aks-sync.io/track': 'true' },
          annotations: { 'kubectl.kubernetes.io/last-applied-configuration': 'x'.repeat(50_000), 'acr-aks-sync.io/tag-pattern': ' staging-* ', 'acr-aks-sync.io/grace-period': '  ' },
        },
      ],
      pods: [
        makePod({
          namespace: 'shop',
          name: 'api-0',
          annotations: {
            'prometheus.io/scrape': 'true',
            'acr-aks-sync.io/slack-channel': 'shop-api',
            'tag-pattern.acr-aks-sync.io/proxy': 'edge-*',
            'acr-aks-sync.io/tag-pattern': `p${'x'.repeat(5_000)}`,
          },
          initContainers: [{ name: 'migrate', image: 'reg.example.io/shop/migrate:prod-1' }],
          containers: [
            { name: 'api', image: 'reg.example.io/shop/api:prod-1' },
            { name: 'proxy', image: 'reg.example.io/shop/proxy:edge-1' },
          ],
        }),
        makePod({ namespace: 'shop', name: 'plain-0', containers: [{ name: 'plain', image: 'reg.example.io/shop/plain:prod-1' }] }),
      ],
    });
    const kc = new KubeConfig();
    kc.loadFromString(api.kubeconfig());
    const inventory = await readClusterInventory(kc, { excludedNamespaces: new Set(), logger: silentLogger, channelLabel: 'team-channel' });
    expect(inventory.namespaces.get('shop')).toEqual({ name: 'shop', labels: { 'team-channel': 'shop-alerts', 'acr-aks-sync.io/track': 'true' }, annotations: { 'acr-aks-sync.io/tag-pattern': 'staging-*' } });
    const api0 = inventory.workloads.filter((w) => w.workload.name === 'api-0');
    expect(api0).toHaveLength(3);
    const settings = api0[0]?.podSettings;
    expect(api0.every((w) => w.podSettings === settings)).toBe(true);
    expect(settings?.containers).toEqual(['migrate', 'api', 'proxy']);
    expect(Object.keys(settings?.annotations ?? {}).sort()).toEqual(['acr-aks-sync.io/slack-channel', 'acr-aks-sync.io/tag-pattern', 'tag-pattern.acr-aks-sync.io/proxy']);
    expect(settings?.annotations['acr-aks-sync.io/tag-pattern']).toMatch(/^px{511}… \(5001 characters\)$/);
    expect(inventory.workloads.find((w) => w.workload.name === 'plain-0')).not.toHaveProperty('podSettings');
  });
});
