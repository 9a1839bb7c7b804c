/**
 * The precedence of every setting, level by level (pure): each level is set to its own value,
 * then the most specific one is taken away, one at a time, and the next one must win and say
 * where it came from.
 */
import { describe, expect, it } from 'vitest';
import type { ClusterSettingsEntry } from '../../src/config/clusterSettings.js';
import type { Config } from '../../src/config/config.js';
import type { NamespaceInfo, PodSettingAnnotations } from '../../src/model/workload.js';
import { resolveClusterLevel } from '../../src/overrides/clusterLevel.js';
import { globalSettings } from '../../src/overrides/globalSettings.js';
import { SettingsResolver, type WorkloadResolution } from '../../src/overrides/workloadSettings.js';

interface Levels {
  container?: string;
  workload?: string;
  namespaceAnnotation?: string;
  namespaceLabel?: string;
  /** SLACK_CHANNEL_LABEL's label (the channel only). */
  teamLabel?: string;
  clusterSettings?: string;
  aksTag?: string;
  variable?: string;
}

type Setting = 'channel' | 'tagPattern' | 'gracePeriod' | 'track';
const WORD = { channel: 'slack-channel', tagPattern: 'tag-pattern', gracePeriod: 'grace-period', track: 'track' } as const;
const PROPERTY = { channel: 'slackChannel', tagPattern: 'tagPattern', gracePeriod: 'gracePeriod', track: 'track' } as const;
const VARIABLE = { channel: 'SLACK_CHANNEL', tagPattern: 'TAG_PATTERN', gracePeriod: 'GRACE_PERIOD', track: undefined } as const;

/** Resolves the settings of container `api` of Deployment/web in namespace `staging` on cluster `stg`, with `levels` of `setting` set. */
function resolveWith(setting: Setting, levels: Levels): WorkloadResolution {
  const key = `acr-aks-sync.io/${WORD[setting]}`;
  const annotations: Record<string, string> = {};
  if (levels.container !== undefined) annotations[`${WORD[setting]}.acr-aks-sync.io/api`] = levels.container;
  if (levels.workload !== undefined) annotations[key] = levels.workload;
  const pod: PodSettingAnnotations | undefined = Object.keys(annotations).length > 0 ? { annotations, containers: ['api', 'sidecar'] } : undefined;
  const namespace: NamespaceInfo = { name: 'staging', labels: {}, annotations: {} };
  if (levels.namespaceAnnotation !== undefined) (namespace.annotations as Record<string, string>)[key] = levels.namespaceAnnotation;
  if (levels.namespaceLabel !== undefined) namespace.labels[key] = levels.namespaceLabel;
  if (levels.teamLabel !== undefined) namespace.labels.slackChannel = levels.teamLabel;
  const entry: ClusterSettingsEntry = {};
  if (levels.clusterSettings !== undefined) {
    const text = levels.clusterSettings;
    Object.assign(entry, { [PROPERTY[setting]]: setting === 'gracePeriod' ? { text, ms: 0 } : text });
  }
  const written: Partial<Record<string, string>> = {};
  const variable = VARIABLE[setting];
  if (variable && levels.variable !== undefined) written[variable] = levels.variable;
  const config = {
    tagPattern: setting === 'tagPattern' && levels.variable !== undefined ? levels.variable : 'prod-*',
    gracePeriodMs: setting === 'gracePeriod' && levels.variable !== undefined ? 60_000 : 180_000,
    excludedNamespaces: ['kube-system'],
    slackChannelLabel: 'slackChannel',
    slack: setting === 'channel' && levels.variable !== undefined ? ({ channel: levels.variable } as Config['slack']) : null,
    clusterSettings: { stg: entry },
    written,
  } as Parameters<typeof globalSettings>[0];
  const global = globalSettings(config);
  const cluster = resolveClusterLevel('stg', global, levels.aksTag !== undefined ? { [`acr-aks-sync.${WORD[setting]}`]: levels.aksTag } : { env: 'staging' });
  const resolver = new SettingsResolver(global, cluster, new Map([['staging', namespace]]));
  return resolver.resolve({ namespace: 'staging', workload: { kind: 'Deployment', name: 'web' }, container: 'api', ...(pod ? { podSettings: pod } : {}) });
}

function settingOf(resolution: WorkloadResolution, setting: Setting): { value: unknown; from: string } {
  if (!('settings' in resolution)) throw new Error(`problems: ${resolution.problems.join('; ')}`);
  return resolution.settings[setting];
}

/** Takes the levels away most specific first, checking each time who wins. */
function expectPrecedence(setting: Setting, order: ReadonlyArray<[keyof Levels, string, unknown, string]>, last: { value: unknown; from: string }): void {
  const levels: Levels = Object.fromEntries(order.map(([level, text]) => [level, text]));
  for (const [level, , value, from] of order) {
    expect(settingOf(resolveWith(setting, levels), setting), `${setting} from ${level}`).toMatchObject({ value, from });
    delete levels[level];
  }
  expect(settingOf(resolveWith(setting, levels), setting)).toMatchObject(last);
}

describe('settings precedence, most specific first', () => {
  it('tag pattern: container, workload, namespace annotation, namespace label, CLUSTER_SETTINGS, AKS tag, TAG_PATTERN, default', () => {
    expectPrecedence(
      'tagPattern',
      [
        ['container', 'c-*', 'c-*', 'pod annotation tag-pattern.acr-aks-sync.io/api on Deployment/web'],
        ['workload', 'w-*', 'w-*', 'pod annotation acr-aks-sync.io/tag-pattern on Deployment/web'],
        ['namespaceAnnotation', 'na-*', 'na-*', 'namespace annotation acr-aks-sync.io/tag-pattern on namespace staging'],
        ['namespaceLabel', 'nl-1', 'nl-1', 'namespace label acr-aks-sync.io/tag-pattern on namespace staging'],
        ['clusterSettings', 'cs-*', 'cs-*', 'CLUSTER_SETTINGS.stg.tagPattern'],
        ['aksTag', 'tag-*', 'tag-*', 'AKS tag acr-aks-sync.tag-pattern on cluster stg'],
        ['variable', 'env-*', 'env-*', 'TAG_PATTERN'],
      ],
      { value: 'prod-*', from: 'default' },
    );
  });

  it('grace period: container, workload, namespace annotation, namespace label, CLUSTER_SETTINGS, AKS tag, GRACE_PERIOD, default; as written, with its milliseconds', () => {
    expectPrecedence(
      'gracePeriod',
      [
        ['container', '1h', '1h', 'pod annotation grace-period.acr-aks-sync.io/api on Deployment/web'],
        ['workload', '90s', '90s', 'pod annotation acr-aks-sync.io/grace-period on Deployment/web'],
        ['namespaceAnnotation', '20m', '20m', 'namespace annotation acr-aks-sync.io/grace-period on namespace staging'],
        ['namespaceLabel', '30m', '30m', 'namespace label acr-aks-sync.io/grace-period on namespace staging'],
        ['clusterSettings', '40m', '40m', 'CLUSTER_SETTINGS.stg.gracePeriod'],
        ['aksTag', '50m', '50m', 'AKS tag acr-aks-sync.grace-period on cluster stg'],
        ['variable', '1m', '1m', 'GRACE_PERIOD'],
      ],
      { value: '3m', from: 'default' },
    );
    expect(resolveWith('gracePeriod', { workload: '1h30m' })).toMatchObject({ settings: { gracePeriod: { value: '1h30m', ms: 5_400_000 } } });
  });

  it('channel: workload, namespace annotation, namespace label, the SLACK_CHANNEL_LABEL label, CLUSTER_SETTINGS, AKS tag, SLACK_CHANNEL, none', () => {
    expectPrecedence(
      'channel',
      [
        ['workload', '#team-web', 'team-web', 'pod annotation acr-aks-sync.io/slack-channel on Deployment/web'],
        ['namespaceAnnotation', 'ns-annotated', 'ns-annotated', 'namespace annotation acr-aks-sync.io/slack-channel on namespace staging'],
        ['namespaceLabel', 'ns-labelled', 'ns-labelled', 'namespace label acr-aks-sync.io/slack-channel on namespace staging'],
        ['teamLabel', 'team-label', 'team-label', 'namespace label slackChannel on namespace staging'],
        ['clusterSettings', 'staging-alerts', 'staging-alerts', 'CLUSTER_SETTINGS.stg.slackChannel'],
        ['aksTag', 'tagged', 'tagged', 'AKS tag acr-aks-sync.slack-channel on cluster stg'],
        ['variable', 'platform', 'platform', 'SLACK_CHANNEL'],
      ],
      { value: null, from: 'default' },
    );
  });

  it('track: container, workload, namespace annotation, namespace label, then the cluster\'s mode (CLUSTER_SETTINGS, AKS tag), default all', () => {
    expectPrecedence(
      'track',
      [
        ['container', 'true', true, 'pod annotation track.acr-aks-sync.io/api on Deployment/web'],
        ['workload', 'FALSE', false, 'pod annotation acr-aks-sync.io/track on Deployment/web'],
        ['namespaceAnnotation', 'true', true, 'namespace annotation acr-aks-sync.io/track on namespace staging'],
        ['namespaceLabel', 'false', false, 'namespace label acr-aks-sync.io/track on namespace staging'],
        ['clusterSettings', 'annotated', false, 'CLUSTER_SETTINGS.stg.track'],
        ['aksTag', 'annotated', false, 'AKS tag acr-aks-sync.track on cluster stg'],
      ],
      { value: true, from: 'default' },
    );
  });

  it('says why a workload is not watched: its opt-out, or its cluster watching only what opts in', () => {
    expect(resolveWith('track', { workload: 'false' })).toMatchObject({ notWatched: 'not watched: pod annotation acr-aks-sync.io/track on Deployment/web is "false"' });
    expect(resolveWith('track', { clusterSettings: 'annotated' })).toMatchObject({
      notWatched: 'not watched: cluster stg watches only workloads that opt in (CLUSTER_SETTINGS.stg.track is "annotated"); opt in with acr-aks-sync.io/track: "true" on the workload or its namespace',
    });
    expect(resolveWith('track', { clusterSettings: 'annotated', namespaceAnnotation: 'true' })).not.toHaveProperty('notWatched');
  });

  it('gives a workload without annotations of its own its namespace\'s answer, one object for all', () => {
    const global = globalSettings({ tagPattern: 'prod-*', gracePeriodMs: 180_000, excludedNamespaces: [], slackChannelLabel: 'slackChannel', slack: null });
    const resolver = new SettingsResolver(global, resolveClusterLevel('c', global), new Map([['a', { name: 'a', labels: { slackChannel: 'team-a' } }]]));
    const one = resolver.resolve({ namespace: 'a', workload: { kind: 'Deployment', name: 'x' }, container: 'x' });
    const two = resolver.resolve({ namespace: 'a', workload: { kind: 'StatefulSet', name: 'y' }, container: 'y' });
    expect(one).toBe(two);
    expect(one).toMatchObject({ settings: { channel: { value: 'team-a', from: 'namespace label slackChannel on namespace a' } } });
  });
});
