import { describe, expect, it } from 'vitest';
import {
  CLUSTER_RESOURCE_ID_EXAMPLE,
  CLUSTER_SUBSCRIPTION_EXAMPLE,
  ClusterTargetsError,
  parseClusterTargets,
  splitList,
} from '../../src/config/clusterTargets.js';

const SUB = '11111111-2222-3333-4444-555555555555';
const SUB2 = 'aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee';
const id = (group: string, name: string, sub = SUB) =>
  `/subscriptions/${sub}/resourceGroups/${group}/providers/Microsoft.ContainerService/managedClusters/${name}`;

function problemsOf(value: string) {
  try {
    parseClusterTargets(value);
  } catch (error) {
    expect(error).toBeInstanceOf(ClusterTargetsError);
    return (error as ClusterTargetsError).problems;
  }
  throw new Error(`expected ${JSON.stringify(value)} to be rejected`);
}

describe('splitList', () => {
  it.each([
    ['a,b', ['a', 'b']],
    [' a , b ', ['a', 'b']],
    ['a\nb\r\nc', ['a', 'b', 'c']],
    ['a,,\n ,b,', ['a', 'b']],
    ['', []],
    [' , \n', []],
  ])('%j → %j', (value, expected) => {
    expect(splitList(value)).toEqual(expected);
  });
});

describe('parseClusterTargets: valid entries', () => {
  it('parses a resource ID, using the cluster name as display name', () => {
    expect(parseClusterTargets(id('rg-prod', 'aks-prod'))).toEqual([
      {
        kind: 'resource',
        resourceId: id('rg-prod', 'aks-prod'),
        subscriptionId: SUB,
        resourceGroup: 'rg-prod',
        name: 'aks-prod',
        displayName: 'aks-prod',
      },
    ]);
  });

  it('uses the alias as display name', () => {
    expect(parseClusterTargets(`prod-aks=${id('rg-prod', 'aks-weu-01')}`)).toEqual([
      expect.objectContaining({ kind: 'resource', name: 'aks-weu-01', displayName: 'prod-aks', resourceId: id('rg-prod', 'aks-weu-01') }),
    ]);
    expect(parseClusterTargets(` prod.weu_1 = ${id('rg', 'aks')} `)[0]).toMatchObject({ displayName: 'prod.weu_1' });
  });

  it('accepts segment names in any case and a trailing slash, and writes them canonically', () => {
    const lower = `/SUBSCRIPTIONS/${SUB}/resourcegroups/My_RG.(1)/PROVIDERS/microsoft.containerservice/MANAGEDCLUSTERS/Aks1/`;
    expect(parseClusterTargets(lower)).toEqual([
      {
        kind: 'resource',
        resourceId: id('My_RG.(1)', 'Aks1'),
        subscriptionId: SUB,
        resourceGroup: 'My_RG.(1)',
        name: 'Aks1',
        displayName: 'Aks1',
      },
    ]);
  });

  it.each([
    [`subscription:${SUB}`, { kind: 'subscription', subscriptionId: SUB }],
    [`Subscription:${SUB}`, { kind: 'subscription', subscriptionId: SUB }],
    [`subscription:${SUB}?tag=env:prod`, { kind: 'subscription', subscriptionId: SUB, tag: { key: 'env', value: 'prod' } }],
    [`subscription:${SUB}?tag=team:a:b`, { kind: 'subscription', subscriptionId: SUB, tag: { key: 'team', value: 'a:b' } }],
    [`subscription:${SUB}?tag= scan : yes `, { kind: 'subscription', subscriptionId: SUB, tag: { key: 'scan', value: 'yes' } }],
  ])('%s', (entry, expected) => {
    expect(parseClusterTargets(entry)).toEqual([expected]);
  });

  it('splits on commas and newlines, trims, skips blanks and keeps the order', () => {
    const value = `\n  ${id('rg', 'a')} ,\n\n  b-alias=${id('rg', 'b')}\r\n, subscription:${SUB2}?tag=env:prod ,  \n`;
    expect(parseClusterTargets(value).map((t) => (t.kind === 'resource' ? t.displayName : t.subscriptionId))).toEqual([
      'a',
      'b-alias',
      SUB2,
    ]);
  });

  it('yields nothing for an empty or blank value', () => {
    expect(parseClusterTargets('')).toEqual([]);
    expect(parseClusterTargets(' ,\n ')).toEqual([]);
  });

  it('allows the same subscription with different tag filters, and the same cluster name under different aliases', () => {
    expect(parseClusterTargets(`subscription:${SUB}?tag=a:1,subscription:${SUB}?tag=a:2`)).toHaveLength(2);
    expect(parseClusterTargets(`x=${id('rg1', 'aks')},y=${id('rg2', 'aks')}`)).toHaveLength(2);
  });
});

describe('parseClusterTargets: errors', () => {
  it.each([
    ['aks-prod', /expected an AKS resource ID starting with \/subscriptions\//, CLUSTER_RESOURCE_ID_EXAMPLE],
    [`/subscriptions/${SUB}`, /this is a subscription, not a cluster; write subscription:/, CLUSTER_SUBSCRIPTION_EXAMPLE],
    [`/subscriptions/${SUB}/resourceGroups/rg`, /is not an AKS resource ID of the form/, CLUSTER_RESOURCE_ID_EXAMPLE],
    [`${id('rg', 'aks')}/agentPools/np1`, /is not an AKS resource ID/, CLUSTER_RESOURCE_ID_EXAMPLE],
    [`/subscription/${SUB}/resourceGroups/rg/providers/Microsoft.ContainerService/managedClusters/aks`, /is not an AKS resource ID/, CLUSTER_RESOURCE_ID_EXAMPLE],
    [`/subscriptions/${SUB}/resourceGroups/rg/providers/Microsoft.Kubernetes/connectedClusters/arc`, /resource type Microsoft\.Kubernetes\/connectedClusters is not an AKS cluster/, CLUSTER_RESOURCE_ID_EXAMPLE],
    [id('rg', 'aks', 'my-subscription'), /subscription ID "my-subscription" is not a GUID/, CLUSTER_RESOURCE_ID_EXAMPLE],
    [id('rg.', 'aks'), /resource group name "rg\." is not valid/, CLUSTER_RESOURCE_ID_EXAMPLE],
    [id('r g', 'aks'), /resource group name "r g" is not valid/, CLUSTER_RESOURCE_ID_EXAMPLE],
    [id('rg', '-aks'), /cluster name "-aks" is not a valid AKS cluster name/, CLUSTER_RESOURCE_ID_EXAMPLE],
    [id('rg', 'a'.repeat(64)), /is not a valid AKS cluster name/, CLUSTER_RESOURCE_ID_EXAMPLE],
    [`bad alias=${id('rg', 'aks')}`, /alias "bad alias" must be/, CLUSTER_RESOURCE_ID_EXAMPLE],
    [`=${id('rg', 'aks')}`, /alias "" must be/, CLUSTER_RESOURCE_ID_EXAMPLE],
    [`prod=subscription:${SUB}`, /cannot be given to a subscription/, CLUSTER_RESOURCE_ID_EXAMPLE],
    ['subscription:', /subscription ID is missing/, CLUSTER_SUBSCRIPTION_EXAMPLE],
    ['subscription:prod', /subscription ID "prod" is not a GUID/, CLUSTER_SUBSCRIPTION_EXAMPLE],
    [`subscription:${SUB}?tag=env`, /tag filter "env" must be key:value/, CLUSTER_SUBSCRIPTION_EXAMPLE],
    [`subscription:${SUB}?tag=:prod`, /must be key:value with both parts non-empty/, CLUSTER_SUBSCRIPTION_EXAMPLE],
    [`subscription:${SUB}?tag=env:`, /must be key:value with both parts non-empty/, CLUSTER_SUBSCRIPTION_EXAMPLE],
    [`subscription:${SUB}?label=env:prod`, /only a "\?tag=key:value" filter is supported/, CLUSTER_SUBSCRIPTION_EXAMPLE],
    [`subscription:${SUB}?tag`, /only a "\?tag=key:value" filter is supported/, CLUSTER_SUBSCRIPTION_EXAMPLE],
  ])('%s', (entry, message, example) => {
    const problems = problemsOf(entry);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toEqual({ entry, message: expect.stringMatching(message), example });
  });

  it('reports every bad entry, naming it and showing an example in the message', () => {
    const good = id('rg', 'aks');
    let error: unknown;
    try {
      parseClusterTargets(`first-bad, ${good}, subscription:nope`);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ClusterTargetsError);
    const { problems, message } = error as ClusterTargetsError;
    expect(problems.map((p) => p.entry)).toEqual(['first-bad', 'subscription:nope']);
    const lines = message.split('\n');
    expect(lines).toHaveLength(2);
    expect(lines[0]).toContain('cluster entry "first-bad"');
    expect(lines[0]).toContain(`(e.g. ${CLUSTER_RESOURCE_ID_EXAMPLE})`);
    expect(lines[1]).toContain('cluster entry "subscription:nope"');
    expect(lines[1]).toContain(`(e.g. ${CLUSTER_SUBSCRIPTION_EXAMPLE})`);
  });

  it.each([
    ['two clusters with the same name', `${id('rg1', 'aks')},${id('rg2', 'aks')}`, /display name "aks" is already used by/],
    ['an alias equal to another cluster name', `${id('rg1', 'aks')},aks=${id('rg2', 'other')}`, /display name "aks" is already used/],
    ['display names differing only in case', `Prod=${id('rg1', 'a')},prod=${id('rg2', 'b')}`, /display name "prod" is already used by "Prod=/],
    ['the same cluster twice', `${id('rg', 'aks')},x=${id('RG', 'AKS')}`, /lists the same cluster as/],
    ['the same subscription twice', `subscription:${SUB},subscription:${SUB.toUpperCase()}`, /lists the same subscription as/],
  ])('rejects %s', (_label, value, message) => {
    const problems = problemsOf(value);
    expect(problems).toHaveLength(1);
    expect(problems[0]?.message).toMatch(message);
  });
});
