/**
 * Bad values and unknown keys (pure): each is a problem naming the key, the object and a good
 * value, on exactly the workloads that would use it; nothing falls back silently.
 */
import { describe, expect, it } from 'vitest';
import type { NamespaceInfo, PodSettingAnnotations } from '../../src/model/workload.js';
import { resolveClusterLevel } from '../../src/overrides/clusterLevel.js';
import { globalSettings } from '../../src/overrides/globalSettings.js';
import { SettingsResolver, type WorkloadResolution } from '../../src/overrides/workloadSettings.js';

const global = globalSettings({
  tagPattern: 'prod-*',
  gracePeriodMs: 180_000,
  excludedNamespaces: ['kube-system'],
  slackChannelLabel: 'slackChannel',
  slack: { channel: 'platform' } as never,
  clusterSettings: { configured: { tagPattern: 'cfg-*' } },
});

function resolve(options: { pod?: Record<string, string>; namespace?: Partial<NamespaceInfo>; tags?: Record<string, string>; cluster?: string; container?: string }): WorkloadResolution {
  const cluster = resolveClusterLevel(options.cluster ?? 'stg', global, options.tags);
  const namespace: NamespaceInfo = { name: 'apps', labels: {}, ...options.namespace };
  const pod: PodSettingAnnotations | undefined = options.pod ? { annotations: options.pod, containers: ['api', 'sidecar'] } : undefined;
  return new SettingsResolver(global, cluster, new Map([['apps', namespace]])).resolve({
    namespace: 'apps',
    workload: { kind: 'Deployment', name: 'payments-api' },
    container: options.container ?? 'api',
    ...(pod ? { podSettings: pod } : {}),
  });
}

const problems = (r: WorkloadResolution): readonly string[] => ('problems' in r ? r.problems : []);

describe('bad settings', () => {
  it('names the annotation, the workload and a good value for a bad value of each setting', () => {
    expect(problems(resolve({ pod: { 'acr-aks-sync.io/tag-pattern': 'prod-[0-9' } }))).toEqual([
      'pod annotation acr-aks-sync.io/tag-pattern on Deployment/payments-api: tag pattern "prod-[0-9" has a "[" without its closing "]" (e.g. acr-aks-sync.io/tag-pattern: "staging-*")',
    ]);
    expect(problems(resolve({ pod: { 'grace-period.acr-aks-sync.io/api': 'soon' } }))[0]).toMatch(
      /^pod annotation grace-period\.acr-aks-sync\.io\/api on Deployment\/payments-api: duration "soon" is not understood.*\(e\.g\. grace-period\.acr-aks-sync\.io\/api: "10m"\)$/,
    );
    expect(problems(resolve({ pod: { 'acr-aks-sync.io/grace-period': '30d' } }))[0]).toContain('is longer than the maximum of 7d');
    expect(problems(resolve({ namespace: { labels: { 'acr-aks-sync.io/track': 'off' } } }))).toEqual([
      'namespace label acr-aks-sync.io/track on namespace apps: "off" is neither "true" (watch it) nor "false" (do not watch it) (e.g. acr-aks-sync.io/track: "false")',
    ]);
  });

  it('refuses a channel that would mention people or is no channel, and keeps the report\'s channel usable', () => {
    const hostile = resolve({ pod: { 'acr-aks-sync.io/slack-channel': '<!here>' }, namespace: { labels: { slackChannel: 'apps-team' } } });
    expect(problems(hostile)[0]).toMatch(/^pod annotation acr-aks-sync\.io\/slack-channel on Deployment\/payments-api: "<!here>" is neither a channel name .* nor a channel ID/);
    expect(hostile).toMatchObject({ channel: 'apps-team' });
    expect(problems(resolve({ pod: { 'acr-aks-sync.io/slack-channel': '@alice' } }))).toHaveLength(1);
  });

  it('names keys in acr-aks-sync\'s domain that are no setting, a channel per container, and a container the pod does not have', () => {
    expect(problems(resolve({ pod: { 'acr-aks-sync.io/tag-patern': 'prod-*' } }))[0]).toMatch(/^pod annotation acr-aks-sync\.io\/tag-patern on Deployment\/payments-api: is not a setting \(the settings are acr-aks-sync\.io\/slack-channel, /);
    expect(problems(resolve({ pod: { 'slack-channel.acr-aks-sync.io/api': 'x' } }))[0]).toContain('the Slack channel is set for a whole workload only');
    expect(problems(resolve({ pod: { 'tag-pattern.acr-aks-sync.io/side-car': 'x-*' } }))).toEqual([
      'pod annotation tag-pattern.acr-aks-sync.io/side-car on Deployment/payments-api: names no container of the pod (its containers: api, sidecar)',
    ]);
    expect(problems(resolve({ namespace: { annotations: { 'track.acr-aks-sync.io/api': 'false' } } }))).toEqual([
      'namespace annotation track.acr-aks-sync.io/api on namespace apps: a setting for one container is read from pod annotations only',
    ]);
    // Keys of other domains are not ours to judge.
    expect(resolve({ pod: { 'example.com/acr-aks-sync': 'x' } })).toHaveProperty('settings');
  });

  it('reports a per-container value only for that container', () => {
    const pod = { 'tag-pattern.acr-aks-sync.io/sidecar': 'bad[' };
    expect(problems(resolve({ pod, container: 'sidecar' }))).toHaveLength(1);
    expect(resolve({ pod, container: 'api' })).toMatchObject({ settings: { tagPattern: { value: 'prod-*' } } });
  });

  it('makes a bad AKS tag the problem of the findings that would use it, not of those that set their own', () => {
    const tags = { 'acr-aks-sync.tag-pattern': 'prod-[' };
    expect(problems(resolve({ tags }))).toEqual(['AKS tag acr-aks-sync.tag-pattern on cluster stg: tag pattern "prod-[" has a "[" without its closing "]" (e.g. acr-aks-sync.tag-pattern = staging-*)']);
    expect(resolve({ tags, pod: { 'acr-aks-sync.io/tag-pattern': 'main-*' } })).toMatchObject({ settings: { tagPattern: { value: 'main-*' } } });
    // CLUSTER_SETTINGS wins over the tag, so the bad tag is never used there.
    expect(resolve({ tags, cluster: 'configured' })).toMatchObject({ settings: { tagPattern: { value: 'cfg-*', from: 'CLUSTER_SETTINGS.configured.tagPattern' } } });
  });

  it('makes a bad excluded-namespaces or name tag every finding\'s problem, and lists with the app\'s namespaces meanwhile', () => {
    const level = resolveClusterLevel('stg', global, { 'ACR-AKS-SYNC.Excluded-Namespaces': 'kube-system Sandbox' });
    expect(level.problems).toEqual([expect.stringMatching(/^AKS tag acr-aks-sync\.excluded-namespaces on cluster stg: "Sandbox" is not a Kubernetes namespace name/)]);
    expect(level.report.excludedNamespaces).toEqual({ value: ['kube-system'], from: 'EXCLUDED_NAMESPACES' });
    expect(problems(resolve({ tags: { 'acr-aks-sync.name': 'a\u0007b' } }))[0]).toMatch(/^AKS tag acr-aks-sync\.name on cluster stg: "a\\u0007b" is not a name for messages/);
  });

  it('takes blank values as unset, and cuts a value longer than any valid one', () => {
    expect(resolve({ pod: { 'acr-aks-sync.io/tag-pattern': '   ' } })).toHaveProperty('settings');
    const level = resolveClusterLevel('stg', global, { 'acr-aks-sync.tag-pattern': `prod-${'x'.repeat(10_000)}` });
    expect(level.tagPattern && 'problem' in level.tagPattern ? level.tagPattern.problem.length : 0).toBeLessThan(400);
  });
});

describe('a cluster\'s own settings', () => {
  it('reads AKS tags without case, spaces, ";" or "," between namespaces, and CLUSTER_SETTINGS over them', () => {
    const tagged = resolveClusterLevel('stg', global, { 'Acr-Aks-Sync.Excluded-Namespaces': 'kube-system; sandbox,legacy', 'acr-aks-sync.name': 'Staging EU', 'acr-aks-sync.track': 'Annotated' });
    expect(tagged.report).toEqual({
      name: { value: 'Staging EU', from: 'AKS tag acr-aks-sync.name on cluster stg' },
      excludedNamespaces: { value: ['kube-system', 'sandbox', 'legacy'], from: 'AKS tag acr-aks-sync.excluded-namespaces on cluster stg' },
    });
    expect(tagged.trackMode).toEqual({ setting: { value: 'annotated', from: 'AKS tag acr-aks-sync.track on cluster stg' } });
    const withConfig = globalSettings({ ...global, tagPattern: 'prod-*', gracePeriodMs: 180_000, excludedNamespaces: [], slackChannelLabel: 'slackChannel', slack: null, clusterSettings: { STG: { name: 'Staging', excludedNamespaces: [] } } });
    expect(resolveClusterLevel('stg', withConfig, { 'acr-aks-sync.name': 'Tagged', 'acr-aks-sync.excluded-namespaces': 'kube-system' }).report).toEqual({
      name: { value: 'Staging', from: 'CLUSTER_SETTINGS.STG.name' },
      excludedNamespaces: { value: [], from: 'CLUSTER_SETTINGS.STG.excludedNamespaces' },
    });
    expect(resolveClusterLevel('prod', withConfig).report.name).toEqual({ value: 'prod', from: 'default' });
  });
});
