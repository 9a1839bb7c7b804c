import { describe, expect, it } from 'vitest';
import { ArmReadCache, type ArmCluster } from '../../src/clusters/armReadCache.js';

const ID = '/subscriptions/s/resourceGroups/g/providers/Microsoft.ContainerService/managedClusters/orders-aks';
const read = (fqdn: string): ArmCluster => ({ cluster: { location: 'westeurope', fqdn }, kubeconfigYaml: `server: https://${fqdn}` });

describe('ArmReadCache', () => {
  it('answers a read younger than its maximum age, by resource ID in any case, and nothing after', () => {
    let now = 1_000;
    const cache = new ArmReadCache(60_000, () => now);
    cache.set(ID, read('a.example'));
    now += 59_999;
    expect(cache.get(ID.toUpperCase())?.cluster.fqdn).toBe('a.example');
    now += 1;
    expect(cache.get(ID)).toBeUndefined();
  });

  it('keeps the latest read, and forgets a cluster when told', () => {
    const cache = new ArmReadCache(60_000, () => 0);
    cache.set(ID, read('a.example'));
    cache.set(ID, read('b.example'));
    expect(cache.get(ID)?.cluster.fqdn).toBe('b.example');
    cache.forget(ID.toLowerCase());
    expect(cache.get(ID)).toBeUndefined();
  });
});
