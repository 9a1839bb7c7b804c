/** CLUSTER_SETTINGS through loadConfig: one schema, every problem naming its path, with a good value. */
import { describe, expect, it } from 'vitest';
import { clusterSettingsFor } from '../../src/config/clusterSettings.js';
import { ConfigError, loadConfig, type ConfigIssue } from '../../src/config/config.js';

const SUB = '11111111-2222-3333-4444-555555555555';
const cluster = (name: string) => `/subscriptions/${SUB}/resourceGroups/rg/providers/Microsoft.ContainerService/managedClusters/${name}`;
const BASE = { REGISTRIES: 'myacr.azurecr.io', CLUSTERS: `staging=${cluster('aks-stg')},${cluster('aks-prod')}` };

function issues(env: Record<string, string>, requireClusters = true): ConfigIssue[] {
  try {
    loadConfig(env, { requireClusters });
  } catch (error) {
    if (error instanceof ConfigError) return [...error.issues];
    throw error;
  }
  throw new Error('expected a configuration error');
}

describe('CLUSTER_SETTINGS', () => {
  it('reads every setting of a cluster, keyed by its alias or name, values checked as their variables are', () => {
    const config = loadConfig(
      {
        ...BASE,
        CLUSTER_SETTINGS: JSON.stringify({
          staging: { slackChannel: '#staging-alerts', tagPattern: 'staging-*', gracePeriod: ' 10m ', track: 'Annotated', excludedNamespaces: ['kube-system', 'sandbox', 'sandbox'], name: 'Staging (EU)' },
          'aks-prod': { gracePeriod: '1h30m' },
        }),
      },
      { requireClusters: true },
    );
    expect(config.clusterSettings).toEqual({
      staging: { slackChannel: 'staging-alerts', tagPattern: 'staging-*', gracePeriod: { text: '10m', ms: 600_000 }, track: 'annotated', excludedNamespaces: ['kube-system', 'sandbox'], name: 'Staging (EU)' },
      'aks-prod': { gracePeriod: { text: '1h30m', ms: 5_400_000 } },
    });
    expect(clusterSettingsFor(config.clusterSettings, 'STAGING')?.key).toBe('staging');
    expect(loadConfig(BASE).clusterSettings).toBeUndefined();
  });

  it('names the path of every bad value, with a good value of that key', () => {
    const found = issues({ ...BASE, CLUSTER_SETTINGS: JSON.stringify({ staging: { gracePeriod: '8d', slackChannel: '<!channel>', tagPattern: 'prod-[', track: 'some', excludedNamespaces: 'kube-system', name: '' } }) });
    expect(found.map((i) => [i.variable, i.example])).toEqual([
      ['CLUSTER_SETTINGS.staging.slackChannel', '"slackChannel": "#staging-alerts"'],
      ['CLUSTER_SETTINGS.staging.tagPattern', '"tagPattern": "staging-*"'],
      ['CLUSTER_SETTINGS.staging.gracePeriod', '"gracePeriod": "10m"'],
      ['CLUSTER_SETTINGS.staging.track', '"track": "annotated"'],
      ['CLUSTER_SETTINGS.staging.excludedNamespaces', '"excludedNamespaces": ["kube-system", "sandbox"]'],
      ['CLUSTER_SETTINGS.staging.name', '"name": "Staging (EU)"'],
    ]);
    expect(found[2]?.message).toBe('"8d" is longer than the maximum of 7d: a release that is not rolled out within a week is drift');
    const error = new ConfigError(found);
    expect(error.message.split('\n')[0]).toMatch(/^CLUSTER_SETTINGS\.staging\.slackChannel: "<!channel>" is neither a channel name .* \(e\.g\. "slackChannel": "#staging-alerts"\)$/);
  });

  it('refuses an unknown setting, a value that is no object, JSON that does not parse, and two keys for one cluster', () => {
    expect(issues({ ...BASE, CLUSTER_SETTINGS: '{"staging":{"tagpattern":"x-*"}}' })[0]).toMatchObject({
      variable: 'CLUSTER_SETTINGS.staging',
      message: 'unknown setting "tagpattern"; the settings are slackChannel, tagPattern, gracePeriod, track, excludedNamespaces, name',
    });
    expect(issues({ ...BASE, CLUSTER_SETTINGS: '{"staging":"x"}' })[0]).toMatchObject({ variable: 'CLUSTER_SETTINGS.staging', message: 'must be an object of settings' });
    expect(issues({ ...BASE, CLUSTER_SETTINGS: '["staging"]' })[0]).toMatchObject({ variable: 'CLUSTER_SETTINGS', message: 'must be a JSON object keyed by cluster name' });
    const notJson = issues({ ...BASE, CLUSTER_SETTINGS: `{staging: ${'x'.repeat(500)}` })[0];
    expect(notJson).toMatchObject({ variable: 'CLUSTER_SETTINGS' });
    expect(notJson?.message).toMatch(/^"\{staging: x+…" \(510 characters\) is not valid JSON; write one JSON object keyed by cluster name$/);
    expect(issues({ ...BASE, CLUSTER_SETTINGS: '{"staging":{},"Staging":{}}' })[0]).toMatchObject({ variable: 'CLUSTER_SETTINGS.Staging', message: 'names the same cluster as "staging" (cluster names are compared without case)' });
  });

  it('refuses a key naming no cluster when CLUSTERS lists every cluster, and only then', () => {
    const typo = { ...BASE, CLUSTER_SETTINGS: '{"stagign":{"tagPattern":"staging-*"}}' };
    expect(issues(typo)).toEqual([
      {
        variable: 'CLUSTER_SETTINGS.stagign',
        message: 'names no cluster in CLUSTERS (its clusters are "staging", "aks-prod"); use the alias or cluster name',
        example: '{"staging":{"tagPattern":"staging-*","slackChannel":"#staging-alerts","gracePeriod":"10m"}}',
      },
    ]);
    // A subscription: entry finds its clusters when it runs; the CLI's --kubeconfig names its own cluster.
    expect(() => loadConfig({ ...typo, CLUSTERS: `${BASE.CLUSTERS},subscription:${SUB}` }, { requireClusters: true })).not.toThrow();
    expect(() => loadConfig(typo, { requireClusters: false })).not.toThrow();
  });
});
